package org.lilnet.phantom.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;

/** The held-out figures recorded in a model manifest ({@code models[].metrics.heldOut}), as text. */
public final class ManifestFigures {

    private ManifestFigures() {
    }

    public static String text(Path manifest) throws IOException {
        JsonNode root = new ObjectMapper().readTree(manifest.toFile());
        StringBuilder out = new StringBuilder();
        for (JsonNode model : root.path("models")) {
            out.append(String.format(Locale.ROOT, "%s %s %s (%s, sha256 %s)%n", model.path("role").asText(), model.path("name").asText(),
                    model.path("version").asText(), model.path("file").asText(), model.path("sha256").asText().substring(0,
                            Math.min(12, model.path("sha256").asText().length()))));
            JsonNode source = model.path("source");
            if (!source.isMissingNode()) {
                out.append("  source: ").append(source).append('\n');
            }
            JsonNode held = model.path("metrics").path("heldOut");
            if (held.isMissingNode() || held.isEmpty()) {
                out.append("  no held-out figures recorded\n");
                continue;
            }
            JsonNode java = held.path("java");
            if (!java.isMissingNode()) {
                out.append("  through the services' Java stage code (").append(java.path("evaluation").asText()).append("):\n");
                figures(java, out);
            }
            if (held.has("bm") || held.has("m") || held.has("b") || held.has("detection")) {
                out.append("  ").append(held.path("pipeline").asText("python").equals("python") ? "Python evaluation" : held.path("pipeline").asText())
                        .append(held.has("evaluation") ? " (" + held.path("evaluation").asText() + ")" : "").append(":\n");
                figures(held, out);
            }
        }
        return out.toString();
    }

    /** One set of held-out figures (the tasks, the cascade, detection, the set). */
    private static void figures(JsonNode held, StringBuilder out) {
        for (String task : new String[] {"bm", "m", "b"}) {
            JsonNode t = held.path(task);
            if (!t.isMissingNode()) {
                out.append(String.format(Locale.ROOT, "  %-3s n=%d", task, t.path("n").asInt()));
                for (String f : new String[] {"acc", "auc", "f1", "recall", "precision"}) {
                    JsonNode ci = t.path(f + "95");
                    out.append(String.format(Locale.ROOT, "  %s %.1f%s", f.toUpperCase(Locale.ROOT).replace("RECALL", "recall")
                                    .replace("PRECISION", "precision"), 100 * t.path(f).asDouble(),
                            ci.isArray() ? String.format(Locale.ROOT, " (%.1f-%.1f)", 100 * ci.get(0).asDouble(), 100 * ci.get(1).asDouble()) : ""));
                }
                out.append('\n');
            }
        }
        if (held.has("cascade")) {
            out.append(String.format(Locale.ROOT, "  cascade accuracy %.1f%n", 100 * held.path("cascade").path("acc").asDouble()));
        }
        JsonNode detection = held.path("detection");
        for (Iterator<Map.Entry<String, JsonNode>> it = detection.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode v = e.getValue();
            out.append(String.format(Locale.ROOT, "  detection %s: recall %.1f (>=1 cm %.1f%s), precision %.1f, F1 %.1f; per lesion any phase %.1f (>=1 cm %.1f)%n",
                    e.getKey(), 100 * v.path("recall").asDouble(), 100 * v.path("recallAtLeast1cm").asDouble(),
                    v.has("recallVisibleAtLeast1cm") ? String.format(Locale.ROOT, "; visible >=1 cm %.1f", 100 * v.path("recallVisibleAtLeast1cm").asDouble()) : "",
                    100 * v.path("precision").asDouble(), 100 * v.path("f1").asDouble(), 100 * v.path("lesionRecallAnyPhase").asDouble(),
                    100 * v.path("lesionRecallAnyPhaseAtLeast1cm").asDouble()));
        }
        if (held.has("generatorSeed")) {
            out.append(String.format(Locale.ROOT, "  held-out set: seed %d, %d patients%s%n", held.path("generatorSeed").asLong(),
                    held.path("patients").asInt(), held.path("generatorCommand").asText().isEmpty() ? "" : " (" + held.path("generatorCommand").asText() + ")"));
        }
    }
}

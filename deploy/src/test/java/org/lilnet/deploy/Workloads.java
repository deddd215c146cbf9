package org.lilnet.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import org.lilnet.deploy.DeployTree.Doc;
import org.lilnet.launcher.ServiceCatalog.ServiceEntry;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The containers of a deployment tree (Kubernetes pod templates and Compose services) and which service each runs. */
final class Workloads {

    static final Set<String> POD_KINDS = Set.of("Deployment", "StatefulSet", "DaemonSet", "Job", "ReplicaSet");

    /**
     * A container as a manifest describes it.
     *
     * @param doc      the document
     * @param where    where, for messages
     * @param node     the container (Kubernetes) or the Compose service
     * @param image    its image, or "" in a patch that leaves the image alone
     * @param service  the service it runs (from its image's Dockerfile, or its name in a patch)
     * @param compose  true for a Compose service
     * @param patch    true for a kustomize patch (partial)
     * @param env      literal environment values; variables set from Secrets and fields map to null
     */
    record Container(Doc doc, String where, JsonNode node, String image, Optional<ServiceEntry> service, boolean compose,
                     boolean patch, Map<String, String> env) {
    }

    private Workloads() {
    }

    static List<Container> all(DeployTree tree) {
        List<Container> out = new ArrayList<>();
        for (Doc doc : tree.kubernetesDocs()) {
            JsonNode pod = podSpec(doc.node());
            if (pod == null) {
                continue;
            }
            boolean patch = tree.isPatch(doc);
            for (String list : List.of("initContainers", "containers")) {
                for (JsonNode c : pod.path(list)) {
                    String name = c.path("name").asText();
                    String image = c.path("image").asText("");
                    Optional<ServiceEntry> service = image.isEmpty() ? ServiceFacts.service(name) : serviceOfImage(tree, image);
                    Map<String, String> env = new LinkedHashMap<>();
                    for (JsonNode e : c.path("env")) {
                        env.put(e.path("name").asText(), e.has("value") ? e.path("value").asText() : null);
                    }
                    out.add(new Container(doc, doc.where() + " container " + name, c, image, service, false, patch, env));
                }
            }
        }
        for (Doc doc : tree.composeDocs()) {
            Iterator<Map.Entry<String, JsonNode>> services = doc.node().path("services").fields();
            while (services.hasNext()) {
                var entry = services.next();
                JsonNode s = entry.getValue();
                String image = interpolate(s.path("image").asText(""));
                Map<String, String> env = new LinkedHashMap<>();
                JsonNode environment = s.path("environment");
                if (environment.isObject()) {
                    environment.fields().forEachRemaining(e -> env.put(e.getKey(), interpolate(e.getValue().asText())));
                } else {
                    for (JsonNode e : environment) {
                        String[] kv = e.asText().split("=", 2);
                        env.put(kv[0], kv.length > 1 ? interpolate(kv[1]) : null);
                    }
                }
                // compose.yaml is whole; compose.*.yaml are override files merged over it
                boolean override = !doc.file().endsWith("/compose.yaml");
                out.add(new Container(doc, doc.file() + " service " + entry.getKey(), s, image, serviceOfImage(tree, image), true,
                        override, env));
            }
        }
        return out;
    }

    static JsonNode podSpec(JsonNode node) {
        String kind = node.path("kind").asText("");
        if (POD_KINDS.contains(kind)) {
            return kind.equals("Job") ? node.path("spec").path("template").path("spec") : node.path("spec").path("template").path("spec");
        }
        if (kind.equals("CronJob")) {
            return node.path("spec").path("jobTemplate").path("spec").path("template").path("spec");
        }
        return null;
    }

    /** {@code lilnet/NAME[:tag]} names the image built from {@code deploy/docker/NAME/Dockerfile}. */
    static Optional<String> ourImage(String image) {
        if (!image.startsWith("lilnet/")) {
            return Optional.empty();
        }
        String rest = image.substring("lilnet/".length());
        int cut = rest.indexOf('@') >= 0 ? rest.indexOf('@') : rest.indexOf(':') >= 0 ? rest.indexOf(':') : rest.length();
        return Optional.of(rest.substring(0, cut));
    }

    static Optional<ServiceEntry> serviceOfImage(DeployTree tree, String image) {
        return ourImage(image).map(tree.dockerfiles()::get).flatMap(d -> mainClass(d).flatMap(ServiceFacts::byMainClass));
    }

    static Optional<String> mainClass(Dockerfile dockerfile) {
        Matcher m = Pattern.compile("\\b(org\\.lilnet\\.[A-Za-z0-9_.]+)\\b").matcher(dockerfile.entrypoint());
        String found = null;
        while (m.find()) {
            found = m.group(1);
        }
        return Optional.ofNullable(found);
    }

    /** Compose interpolation: {@code ${VAR:-default}} gives the default, {@code ${VAR}} and {@code ${VAR:?msg}} a placeholder. */
    static String interpolate(String value) {
        Matcher m = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::?([-?])([^}]*))?}").matcher(value);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String replacement = "-".equals(m.group(2)) ? m.group(3) : "<" + m.group(1) + ">";
            m.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** -Xmx of a JAVA_OPTS value, in bytes; -1 when absent. */
    static long maxHeap(String javaOpts) {
        if (javaOpts == null) {
            return -1;
        }
        Matcher m = Pattern.compile("-Xmx(\\d+)([kKmMgG]?)").matcher(javaOpts);
        return m.find() ? bytes(m.group(1), m.group(2)) : -1;
    }

    /** A Kubernetes quantity (Mi, Gi, M, G, plain bytes) in bytes; -1 when unreadable. */
    static long quantity(String q) {
        Matcher m = Pattern.compile("(\\d+)(Ki|Mi|Gi|Ti|k|M|G|T)?").matcher(q);
        if (!m.matches()) {
            return -1;
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "" : m.group(2);
        return switch (unit) {
            case "Ki" -> n << 10;
            case "Mi" -> n << 20;
            case "Gi" -> n << 30;
            case "Ti" -> n << 40;
            case "k" -> n * 1000;
            case "M" -> n * 1000_000;
            case "G" -> n * 1000_000_000L;
            case "T" -> n * 1000_000_000_000L;
            default -> n;
        };
    }

    private static long bytes(String n, String unit) {
        long v = Long.parseLong(n);
        return switch (unit.toLowerCase()) {
            case "k" -> v << 10;
            case "m" -> v << 20;
            case "g" -> v << 30;
            default -> v;
        };
    }
}

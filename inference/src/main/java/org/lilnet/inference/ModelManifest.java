package org.lilnet.inference;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code models/manifest.json}: which ONNX file plays which role, with its SHA-256, declared input and output, and
 * labels (format in INTERFACES.md; file paths are relative to the manifest's directory). Loading checks the
 * structure of every entry; {@link ModelContract} then checks the models a service opens against the contract.
 */
public final class ModelManifest {

    public static final int SUPPORTED_VERSION = 1;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    private final Map<ModelRole, ModelEntry> entries;

    private ModelManifest(Path file, Map<ModelRole, ModelEntry> entries) {
        this.file = file;
        this.entries = entries;
    }

    public static ModelManifest load(Path manifestFile) throws ModelContractException {
        Path file = manifestFile.toAbsolutePath().normalize();
        String what = "model manifest " + file;
        JsonNode root;
        try {
            root = JSON.readTree(Files.readString(file));
        } catch (JsonProcessingException e) {
            throw new ModelContractException(what, List.of("not valid JSON: " + e.getOriginalMessage()));
        } catch (IOException e) {
            throw new ModelContractException(what, List.of("cannot be read: " + e));
        }
        List<String> problems = new ArrayList<>();
        if (root == null || !root.isObject()) {
            throw new ModelContractException(what, List.of("must be a JSON object with manifestVersion and models"));
        }
        JsonNode version = root.get("manifestVersion");
        if (version == null || !version.isInt() || version.asInt() != SUPPORTED_VERSION) {
            problems.add("manifestVersion is " + version + ", this service reads version " + SUPPORTED_VERSION);
        }
        JsonNode models = root.get("models");
        Map<ModelRole, ModelEntry> entries = new EnumMap<>(ModelRole.class);
        if (models == null || !models.isArray() || models.isEmpty()) {
            problems.add("'models' must be a non-empty array");
        } else {
            for (int i = 0; i < models.size(); i++) {
                parseEntry(models.get(i), "models[" + i + "]", file.getParent(), problems).ifPresent(entry -> {
                    if (entries.putIfAbsent(entry.role(), entry) != null) {
                        problems.add("role '" + entry.role() + "' appears twice");
                    }
                });
            }
        }
        if (!problems.isEmpty()) {
            throw new ModelContractException(what, problems);
        }
        return new ModelManifest(file, entries);
    }

    /** The manifest file. */
    public Path file() {
        return file;
    }

    public Optional<ModelEntry> entry(ModelRole role) {
        return Optional.ofNullable(entries.get(role));
    }

    public List<ModelEntry> entries() {
        return List.copyOf(entries.values());
    }

    private static Optional<ModelEntry> parseEntry(JsonNode node, String where, Path directory, List<String> problems) {
        if (node == null || !node.isObject()) {
            problems.add(where + " must be an object");
            return Optional.empty();
        }
        int before = problems.size();
        String roleName = text(node, "role", where, problems);
        ModelRole role = null;
        if (roleName != null) {
            role = ModelRole.fromWireName(roleName).orElse(null);
            if (role == null) {
                problems.add(where + ".role '" + roleName + "' is not one of detector, bm, m, b");
            } else {
                where = where + " (" + roleName + ")";
            }
        }
        String name = text(node, "name", where, problems);
        String version = text(node, "version", where, problems);
        String fileName = text(node, "file", where, problems);
        String sha256 = text(node, "sha256", where, problems);
        if (sha256 != null && !sha256.matches("[0-9a-fA-F]{64}")) {
            problems.add(where + ".sha256 must be 64 hex digits, is '" + sha256 + "'");
        }
        TensorSpec input = tensor(node.get("input"), where + ".input", problems);
        TensorSpec output = tensor(node.get("output"), where + ".output", problems);
        List<String> labels = new ArrayList<>();
        JsonNode labelNode = node.get("labels");
        if (labelNode == null || !labelNode.isArray() || labelNode.isEmpty()) {
            problems.add(where + ".labels must be a non-empty array of strings");
        } else {
            for (JsonNode l : labelNode) {
                if (l.isTextual() && !l.asText().isBlank()) {
                    labels.add(l.asText());
                } else {
                    problems.add(where + ".labels has a non-text or blank entry: " + l);
                }
            }
        }
        JsonNode source = node.get("source");
        String sourceKind = source != null && source.isObject() ? text(source, "kind", where + ".source", problems) : null;
        if (source == null || !source.isObject()) {
            problems.add(where + ".source must be an object with 'kind'");
        } else if ("lilnet-checkpoint".equals(sourceKind)) {
            text(source, "checkpoint", where + ".source", problems);
            text(source, "checkpointSha256", where + ".source", problems);
        }
        if (problems.size() > before) {
            return Optional.empty();
        }
        return Optional.of(new ModelEntry(role, name, version, directory.resolve(fileName).normalize(), sha256.toLowerCase(java.util.Locale.ROOT),
                input, output, labels, sourceKind));
    }

    private static TensorSpec tensor(JsonNode node, String where, List<String> problems) {
        if (node == null || !node.isObject()) {
            problems.add(where + " must be an object with name, shape and dtype");
            return null;
        }
        String name = text(node, "name", where, problems);
        String dtype = text(node, "dtype", where, problems);
        JsonNode shapeNode = node.get("shape");
        if (shapeNode == null || !shapeNode.isArray() || shapeNode.isEmpty()) {
            problems.add(where + ".shape must be a non-empty array of integers (-1 = dynamic)");
            return null;
        }
        long[] shape = new long[shapeNode.size()];
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = shapeNode.get(i);
            if (!d.canConvertToLong() || !d.isIntegralNumber() || (d.asLong() < 1 && d.asLong() != TensorSpec.DYNAMIC)) {
                problems.add(where + ".shape[" + i + "] is " + d + ": must be a positive integer or -1 (dynamic)");
                return null;
            }
            shape[i] = d.asLong();
        }
        return name == null || dtype == null ? null : new TensorSpec(name, shape, dtype);
    }

    private static String text(JsonNode node, String field, String where, List<String> problems) {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual() || value.asText().isBlank()) {
            problems.add(where + "." + field + " is missing or not a string");
            return null;
        }
        return value.asText();
    }
}

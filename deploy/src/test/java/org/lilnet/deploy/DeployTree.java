package org.lilnet.deploy;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * Everything under {@code deploy/} that describes a deployment, parsed: Dockerfiles, Compose files, Kubernetes
 * manifests and kustomizations, properties files, Prometheus rule files and Grafana dashboards. Paths in messages are
 * relative to the repository root.
 */
public final class DeployTree {

    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    static final ObjectMapper JSON = new ObjectMapper();

    /** One YAML document of a file (a file may hold several, separated by {@code ---}). */
    public record Doc(String file, int index, JsonNode node) {
        public String kind() {
            return node.path("kind").asText("");
        }

        public String name() {
            return node.path("metadata").path("name").asText("");
        }

        public String where() {
            return file + (index > 0 ? " (document " + (index + 1) + ")" : "") + (name().isEmpty() ? "" : " " + kind() + "/" + name());
        }
    }

    /** A kustomization.yaml: what it pulls in. */
    public record Kustomization(String file, JsonNode node) {
        Path dir(Path root) {
            return root.resolve(file).getParent();
        }
    }

    private final Path root;
    private final Map<String, Dockerfile> dockerfiles = new LinkedHashMap<>();
    private final List<Doc> composeDocs = new ArrayList<>();
    private final List<Doc> kubernetesDocs = new ArrayList<>();
    private final List<Kustomization> kustomizations = new ArrayList<>();
    private final Map<String, Properties> propertiesFiles = new LinkedHashMap<>();
    private final List<Doc> prometheusRuleFiles = new ArrayList<>();
    private final List<Doc> prometheusConfigs = new ArrayList<>();
    private final List<Doc> dashboards = new ArrayList<>();
    private final List<String> parseErrors = new ArrayList<>();

    private DeployTree(Path root) {
        this.root = root;
    }

    /** The repository the tests run in (system property {@code lilnet.repo.root}, set by the build). */
    public static Path repositoryRoot() {
        return Path.of(System.getProperty("lilnet.repo.root", "..")).toAbsolutePath().normalize();
    }

    public static DeployTree load(Path repositoryRoot) {
        DeployTree tree = new DeployTree(repositoryRoot);
        Path deploy = repositoryRoot.resolve("deploy");
        for (Path file : files(deploy)) {
            String rel = repositoryRoot.relativize(file).toString().replace('\\', '/');
            String name = file.getFileName().toString();
            try {
                if (name.equals("Dockerfile")) {
                    String image = file.getParent().getFileName().toString();
                    tree.dockerfiles.put(image, Dockerfile.parse(rel, Files.readString(file)));
                } else if (name.endsWith(".properties")) {
                    Properties p = new Properties();
                    try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                        p.load(r);
                    }
                    tree.propertiesFiles.put(rel, p);
                } else if (name.endsWith(".json")) {
                    if (rel.contains("/grafana/dashboards/")) {
                        tree.dashboards.add(new Doc(rel, 0, JSON.readTree(file.toFile())));
                    }
                } else if (name.endsWith(".yaml") || name.endsWith(".yml")) {
                    List<JsonNode> docs = readYaml(file);
                    if (name.equals("kustomization.yaml")) {
                        tree.kustomizations.add(new Kustomization(rel, docs.get(0)));
                    } else if (rel.startsWith("deploy/compose/")) {
                        add(tree.composeDocs, rel, docs);
                    } else if (rel.startsWith("deploy/k8s/")) {
                        add(tree.kubernetesDocs, rel, docs);
                    } else if (rel.startsWith("deploy/monitoring/prometheus/")) {
                        add(docs.get(0).has("groups") ? tree.prometheusRuleFiles : tree.prometheusConfigs, rel, docs);
                    }
                }
            } catch (IOException | RuntimeException e) {
                tree.parseErrors.add(rel + ": cannot be parsed: " + e.getMessage());
            }
        }
        return tree;
    }

    private static void add(List<Doc> into, String file, List<JsonNode> docs) {
        for (int i = 0; i < docs.size(); i++) {
            into.add(new Doc(file, i, docs.get(i)));
        }
    }

    static List<JsonNode> readYaml(Path file) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        try (JsonParser parser = YAML.getFactory().createParser(file.toFile())) {
            var values = YAML.readValues(parser, JsonNode.class);
            while (values.hasNext()) {
                JsonNode node = values.next();
                if (node != null && !node.isNull() && !(node instanceof MissingNode)) {
                    out.add(node);
                }
            }
        }
        return out;
    }

    private static List<Path> files(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile)
                    .filter(p -> {
                        String rel = "/" + dir.relativize(p).toString().replace('\\', '/');
                        return !rel.startsWith("/target/") && !rel.startsWith("/src/");
                    })
                    .sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Path root() {
        return root;
    }

    /** Dockerfiles by image name: {@code deploy/docker/<image>/Dockerfile}. */
    public Map<String, Dockerfile> dockerfiles() {
        return dockerfiles;
    }

    public List<Doc> composeDocs() {
        return composeDocs;
    }

    public List<Doc> kubernetesDocs() {
        return kubernetesDocs;
    }

    public List<Kustomization> kustomizations() {
        return kustomizations;
    }

    public Map<String, Properties> propertiesFiles() {
        return propertiesFiles;
    }

    public List<Doc> prometheusRuleFiles() {
        return prometheusRuleFiles;
    }

    public List<Doc> prometheusConfigs() {
        return prometheusConfigs;
    }

    public List<Doc> dashboards() {
        return dashboards;
    }

    public List<String> parseErrors() {
        return parseErrors;
    }

    /** Files named in kustomizations' {@code patches}: partial documents, merged over the base. */
    public boolean isPatch(Doc doc) {
        for (Kustomization k : kustomizations) {
            for (JsonNode patch : k.node().path("patches")) {
                String path = patch.isTextual() ? patch.asText() : patch.path("path").asText("");
                if (!path.isEmpty() && root.relativize(k.dir(root).resolve(path).normalize()).toString().equals(doc.file())) {
                    return true;
                }
            }
        }
        return false;
    }
}

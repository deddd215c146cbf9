package org.lilnet.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import org.lilnet.common.topics.Topic;
import org.lilnet.common.topics.Topics;
import org.lilnet.deploy.DeployTree.Doc;
import org.lilnet.deploy.DeployTree.Kustomization;
import org.lilnet.deploy.Workloads.Container;
import org.lilnet.launcher.ServiceCatalog.ServiceEntry;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The checks of the deployment manifests against the code. Each returns its problems, one sentence each naming the
 * file; an empty list means the manifests agree with the code. {@link #counts} says how much each check looked at, so
 * that a check that found nothing to look at does not pass unnoticed.
 */
public final class ManifestChecks {

    private static final Pattern TOPIC_NAME = Pattern.compile("\\blilnet\\.[a-z0-9-]+\\.v\\d+\\b");
    private static final Pattern MAIN_CLASS = Pattern.compile("\\b(org\\.lilnet\\.[A-Za-z0-9_.]+)\\b");

    private final DeployTree tree;
    private final ExportedMetrics exported;
    private final List<Container> containers;
    private final Map<String, Integer> counts = new TreeMap<>();

    public ManifestChecks(DeployTree tree, ExportedMetrics exported) {
        this.tree = tree;
        this.exported = exported;
        this.containers = Workloads.all(tree);
    }

    public Map<String, Integer> counts() {
        return counts;
    }

    private void count(String what) {
        counts.merge(what, 1, Integer::sum);
    }

    /** Every check. */
    public List<String> all() {
        List<String> problems = new ArrayList<>(tree.parseErrors());
        problems.addAll(configurationKeys());
        problems.addAll(topics());
        problems.addAll(images());
        problems.addAll(dockerfiles());
        problems.addAll(metrics());
        problems.addAll(autoscalingAndAccess());
        problems.addAll(workloads());
        problems.addAll(alertsInSync());
        problems.addAll(kustomizations());
        return problems;
    }

    // ---- configuration keys ------------------------------------------------------------------------------------

    /**
     * Every properties file is named after a service and holds only its keys (or Kafka / registry client settings the
     * clients know), with values its own validation accepts; every {@code LILNET_*} variable of a container sets a key of
     * the service it runs, with a valid value.
     */
    public List<String> configurationKeys() {
        List<String> problems = new ArrayList<>();
        tree.propertiesFiles().forEach((file, properties) -> {
            String name = Path.of(file).getFileName().toString().replace(".properties", "");
            Optional<ServiceEntry> service = ServiceFacts.service(name);
            if (service.isEmpty()) {
                problems.add(file + ": named after no service of ServiceCatalog (" + serviceNames() + ")");
                return;
            }
            Map<String, String> values = map(properties);
            for (String key : values.keySet()) {
                count("configuration keys");
                ServiceFacts.keyProblems(service.get(), key).forEach(p -> problems.add(file + ": " + p));
            }
            ServiceFacts.validate(service.get(), values, Map.of()).forEach(p -> problems.add(file + ": " + p));
        });
        for (Container c : containers) {
            for (var e : c.env().entrySet()) {
                String variable = e.getKey();
                if (!variable.startsWith("LILNET_") || c.service().isEmpty()) {
                    if (variable.startsWith("LILNET_") && Workloads.ourImage(c.image()).isPresent() && c.service().isEmpty()) {
                        problems.add(c.where() + ": sets " + variable + " but its image runs no service of ServiceCatalog");
                    }
                    continue;
                }
                ServiceEntry service = c.service().get();
                count("configuration variables");
                Optional<String> key = ServiceFacts.keyOfEnvironmentVariable(service, variable);
                if (key.isEmpty()) {
                    problems.add(c.where() + ": " + variable + " is not a configuration variable of " + service.name()
                            + " (the service would ignore it)");
                    continue;
                }
                ServiceFacts.keyProblems(service, key.get()).forEach(p -> problems.add(c.where() + ": " + variable + ": " + p));
                if (e.getValue() != null && !e.getValue().contains("<")) {
                    Map<String, String> file = propertiesOf(service, c.compose());
                    ServiceFacts.validate(service, file, Map.of(variable, e.getValue())).stream()
                            .filter(p -> p.contains("'" + key.get() + "'"))
                            .forEach(p -> problems.add(c.where() + ": " + variable + ": " + p));
                }
            }
            if (c.service().isPresent() && !c.patch()) {
                String configFile = configArgument(c);
                String expected = c.service().get().name() + ".properties";
                if (configFile == null || !configFile.endsWith("/" + expected)) {
                    problems.add(c.where() + ": starts " + c.service().get().name() + " with --config " + configFile
                            + "; expected a file named " + expected + " (the checked one)");
                }
            }
        }
        return problems;
    }

    private static String configArgument(Container c) {
        JsonNode args = c.compose() ? c.node().path("command") : c.node().path("args");
        List<String> list = new ArrayList<>();
        args.forEach(a -> list.add(a.asText()));
        int i = list.indexOf("--config");
        return i >= 0 && i + 1 < list.size() ? list.get(i + 1) : null;
    }

    /** The properties file a service reads in the Compose stack or in Kubernetes. */
    Map<String, String> propertiesOf(ServiceEntry service, boolean compose) {
        String prefix = compose ? "deploy/compose/" : "deploy/k8s/";
        return tree.propertiesFiles().entrySet().stream()
                .filter(e -> e.getKey().startsWith(prefix) && e.getKey().endsWith("/" + service.name() + ".properties"))
                .findFirst().map(e -> map(e.getValue())).orElse(Map.of());
    }

    private static Map<String, String> map(Properties p) {
        Map<String, String> out = new LinkedHashMap<>();
        p.stringPropertyNames().stream().sorted().forEach(n -> out.put(n, p.getProperty(n)));
        return out;
    }

    private static String serviceNames() {
        return String.join(", ", ServiceFacts.services().stream().map(ServiceEntry::name).toList());
    }

    // ---- topics ------------------------------------------------------------------------------------------------

    /** KafkaTopic resources are the catalog's topics with the catalog's partitions; any topic name anywhere is one of them. */
    public List<String> topics() {
        List<String> problems = new ArrayList<>();
        Set<String> declared = new TreeSet<>();
        for (Doc doc : tree.kubernetesDocs()) {
            if (!doc.kind().equals("KafkaTopic") || tree.isPatch(doc)) {
                continue;
            }
            count("KafkaTopic resources");
            String name = doc.node().path("spec").path("topicName").asText(doc.name());
            Optional<Topic<?>> topic = ServiceFacts.topic(name);
            if (topic.isEmpty()) {
                problems.add(doc.where() + ": topic " + name + " is not in the topic catalog (Topics)");
                continue;
            }
            declared.add(name);
            int partitions = doc.node().path("spec").path("partitions").asInt(-1);
            if (partitions != topic.get().defaultPartitions()) {
                problems.add(doc.where() + ": " + name + " has " + partitions + " partitions, the catalog says "
                        + topic.get().defaultPartitions());
            }
        }
        if (!declared.isEmpty()) {
            for (Topic<?> t : Topics.ALL) {
                if (!declared.contains(t.name())) {
                    problems.add("deploy/k8s: no KafkaTopic for the catalog's " + t.name());
                }
            }
        }
        Consumer<Object[]> scan = fileAndText -> {
            Matcher m = TOPIC_NAME.matcher((String) fileAndText[1]);
            while (m.find()) {
                count("topic names");
                if (ServiceFacts.topic(m.group()).isEmpty()) {
                    problems.add(fileAndText[0] + ": names topic " + m.group() + ", which is not in the topic catalog (Topics)");
                }
            }
        };
        List<Doc> docs = new ArrayList<>(tree.kubernetesDocs());
        docs.addAll(tree.composeDocs());
        docs.addAll(tree.prometheusRuleFiles());
        docs.addAll(tree.prometheusConfigs());
        docs.addAll(tree.dashboards());
        for (Doc doc : docs) {
            scalars(doc.node(), text -> scan.accept(new Object[]{doc.where(), text}));
        }
        tree.propertiesFiles().forEach((file, p) -> p.stringPropertyNames().forEach(n -> scan.accept(new Object[]{file, p.getProperty(n)})));
        return problems;
    }

    private static void scalars(JsonNode node, Consumer<String> into) {
        if (node.isTextual()) {
            into.accept(node.asText());
        } else if (node.isContainerNode()) {
            node.fields().forEachRemaining(e -> {
                into.accept(e.getKey());
                scalars(e.getValue(), into);
            });
            if (node.isArray()) {
                node.forEach(n -> scalars(n, into));
            }
        }
    }

    // ---- images ------------------------------------------------------------------------------------------------

    /** Our images ({@code lilnet/NAME}) are built by {@code deploy/docker/NAME/Dockerfile}; every other image is pinned. */
    public List<String> images() {
        List<String> problems = new ArrayList<>();
        for (Container c : containers) {
            if (c.image().isEmpty()) {
                continue;
            }
            count("images");
            problems.addAll(imageProblems(c.where(), c.image()));
            if (c.compose()) {
                JsonNode build = c.node().path("build");
                if (!build.isMissingNode()) {
                    String dockerfile = build.path("dockerfile").asText("");
                    String expected = Workloads.ourImage(c.image()).map(n -> "deploy/docker/" + n + "/Dockerfile").orElse("?");
                    if (!dockerfile.equals(expected)) {
                        problems.add(c.where() + ": builds " + c.image() + " from " + dockerfile + ", expected " + expected);
                    }
                }
            }
        }
        for (Kustomization k : tree.kustomizations()) {
            for (JsonNode image : k.node().path("images")) {
                String name = image.path("name").asText();
                String newName = image.path("newName").asText(name);
                String tag = image.path("newTag").asText("");
                count("images");
                problems.addAll(imageProblems(k.file(), newName + (tag.isEmpty() ? "" : ":" + tag)));
                if (!newName.equals(name)) {
                    Optional<ServiceEntry> before = Workloads.serviceOfImage(tree, name);
                    Optional<ServiceEntry> after = Workloads.serviceOfImage(tree, newName);
                    if (!before.equals(after)) {
                        problems.add(k.file() + ": replaces " + name + " (" + before.map(ServiceEntry::name).orElse("?") + ") with "
                                + newName + " (" + after.map(ServiceEntry::name).orElse("?") + "), another service");
                    }
                }
            }
        }
        return problems;
    }

    private List<String> imageProblems(String where, String image) {
        Optional<String> ours = Workloads.ourImage(image);
        if (ours.isPresent()) {
            if (!tree.dockerfiles().containsKey(ours.get())) {
                return List.of(where + ": image " + image + " has no Dockerfile: deploy/docker/" + ours.get() + "/Dockerfile does not exist");
            }
            return List.of();
        }
        String last = image.substring(image.lastIndexOf('/') + 1);
        if (!image.contains("@sha256:") && (!last.contains(":") || last.endsWith(":latest"))) {
            return List.of(where + ": image " + image + " is not pinned to a version");
        }
        return List.of();
    }

    // ---- Dockerfiles -------------------------------------------------------------------------------------------

    /**
     * Every service has a Dockerfile (and those that run models a -gpu one): multi-stage, non-root, JRE 17, a bounded
     * heap, the service's main class from ServiceCatalog built from its module, its ports exposed; -gpu variants build
     * with the gpu profile on a CUDA + cuDNN base.
     */
    public List<String> dockerfiles() {
        List<String> problems = new ArrayList<>();
        for (ServiceEntry s : ServiceFacts.services()) {
            if (!tree.dockerfiles().containsKey(s.name())) {
                problems.add("deploy/docker/" + s.name() + "/Dockerfile is missing (service " + s.name() + ")");
            }
            if (ServiceFacts.runsModels(s) && !tree.dockerfiles().containsKey(s.name() + "-gpu")) {
                problems.add("deploy/docker/" + s.name() + "-gpu/Dockerfile is missing (" + s.name() + " runs models: it needs a GPU image)");
            }
        }
        tree.dockerfiles().forEach((image, d) -> {
            count("Dockerfiles");
            String f = d.file();
            if (d.stages().size() < 2) {
                problems.add(f + ": not a multi-stage build");
                return;
            }
            Dockerfile.Stage run = d.runtime();
            String user = run.last("USER");
            if (user == null || user.split(":")[0].equals("root") || user.split(":")[0].equals("0")) {
                problems.add(f + ": the runtime stage runs as root (USER " + user + ")");
            }
            if (!run.from().contains(":") || run.from().endsWith(":latest")) {
                problems.add(f + ": runtime base " + run.from() + " is not pinned");
            }
            boolean java17 = run.from().matches("eclipse-temurin:17-jre.*") || run.all("RUN").stream().anyMatch(r -> r.contains("openjdk-17-jre"));
            if (!java17) {
                problems.add(f + ": the runtime stage has no Java 17 JRE (eclipse-temurin:17-jre* or openjdk-17-jre)");
            }
            if (Workloads.maxHeap(run.env().get("JAVA_OPTS")) <= 0) {
                problems.add(f + ": JAVA_OPTS sets no -Xmx (every JVM gets a bounded heap)");
            }
            Optional<String> main = Workloads.mainClass(d);
            if (main.isEmpty()) {
                problems.add(f + ": the ENTRYPOINT starts no org.lilnet main class");
                return;
            }
            if (!loadsMain(main.get())) {
                problems.add(f + ": " + main.get() + " is not a class with a main method");
            }
            boolean gpu = image.endsWith("-gpu");
            String base = gpu ? image.substring(0, image.length() - 4) : image;
            Optional<ServiceEntry> service = ServiceFacts.byMainClass(main.get());
            String module;
            if (service.isPresent()) {
                module = service.get().name();
                if (!base.equals(module)) {
                    problems.add(f + ": starts " + main.get() + " (" + module + ") but is the image of " + base);
                }
                Set<Integer> expected = new TreeSet<>(ServiceFacts.portKeys(service.get()).values());
                Set<Integer> exposed = new TreeSet<>();
                run.all("EXPOSE").forEach(e -> {
                    for (String p : e.split("\\s+")) {
                        exposed.add(Integer.parseInt(p.replaceAll("/.*", "")));
                    }
                });
                if (!exposed.equals(expected)) {
                    problems.add(f + ": exposes " + exposed + ", the service listens on " + ServiceFacts.portKeys(service.get()));
                }
                if (gpu && !ServiceFacts.runsModels(service.get())) {
                    problems.add(f + ": a GPU image of " + module + ", which runs no model");
                }
            } else if (main.get().equals(ServiceFacts.LAUNCHER_MAIN)) {
                module = ServiceFacts.LAUNCHER_MODULE;
            } else {
                problems.add(f + ": " + main.get() + " is neither a service of ServiceCatalog nor the lilnet command");
                return;
            }
            if (!module.equals(d.builtModule())) {
                problems.add(f + ": builds module " + d.builtModule() + ", the main class is in " + module);
            }
            if (!Files.isRegularFile(tree.root().resolve(module).resolve("pom.xml"))) {
                problems.add(f + ": module " + module + " does not exist");
            }
            if (gpu) {
                if (!d.buildUsesProfile("gpu")) {
                    problems.add(f + ": a GPU image built without the gpu profile (-Pgpu: onnxruntime_gpu)");
                }
                if (!run.from().startsWith("nvidia/cuda:") || !run.from().contains("cudnn")) {
                    problems.add(f + ": a GPU image on " + run.from() + ", not a CUDA + cuDNN base (nvidia/cuda:*cudnn*)");
                }
            } else if (d.buildUsesProfile("gpu")) {
                problems.add(f + ": built with the gpu profile but not named -gpu");
            }
        });
        return problems;
    }

    private static boolean loadsMain(String className) {
        try {
            return Class.forName(className, false, ManifestChecks.class.getClassLoader()).getMethod("main", String[].class) != null;
        } catch (ReflectiveOperationException | LinkageError e) {
            return false;
        }
    }

    // ---- metrics -----------------------------------------------------------------------------------------------

    /** Every PromQL expression (dashboards, alert rules, KEDA prometheus triggers) reads series the services export. */
    public List<String> metrics() {
        List<String> problems = new ArrayList<>();
        Map<String, String> expressions = new LinkedHashMap<>();
        for (Doc dashboard : tree.dashboards()) {
            collectPanels(dashboard.file(), dashboard.node().path("panels"), expressions);
            for (JsonNode variable : dashboard.node().path("templating").path("list")) {
                if (variable.path("type").asText().equals("query")) {
                    String q = variable.path("query").isObject() ? variable.path("query").path("query").asText() : variable.path("query").asText();
                    Matcher m = Pattern.compile("label_values\\((.*),\\s*([a-zA-Z_]+)\\s*\\)").matcher(q);
                    if (m.find()) {
                        expressions.put(dashboard.file() + " variable " + variable.path("name").asText(), m.group(1) + " by (" + m.group(2) + ")");
                    } else {
                        expressions.put(dashboard.file() + " variable " + variable.path("name").asText(), q);
                    }
                }
            }
        }
        List<Doc> ruleDocs = new ArrayList<>(tree.prometheusRuleFiles());
        tree.kubernetesDocs().stream().filter(d -> d.kind().equals("PrometheusRule")).forEach(d -> ruleDocs.add(d));
        for (Doc doc : ruleDocs) {
            JsonNode groups = doc.kind().equals("PrometheusRule") ? doc.node().path("spec").path("groups") : doc.node().path("groups");
            for (JsonNode group : groups) {
                for (JsonNode rule : group.path("rules")) {
                    String name = rule.path("alert").asText(rule.path("record").asText());
                    expressions.put(doc.where() + " rule " + name, rule.path("expr").asText());
                }
            }
        }
        for (Doc doc : tree.kubernetesDocs()) {
            if (doc.kind().equals("ScaledObject")) {
                for (JsonNode trigger : doc.node().path("spec").path("triggers")) {
                    if (trigger.path("type").asText().equals("prometheus")) {
                        expressions.put(doc.where() + " trigger", trigger.path("metadata").path("query").asText());
                    }
                }
            }
        }
        expressions.forEach((where, expr) -> {
            count("PromQL expressions");
            PromQl.Query q = PromQl.parse(expr);
            if (q.selectors().isEmpty()) {
                problems.add(where + ": reads no metric: " + expr);
                return;
            }
            Set<String> queryLabels = new TreeSet<>(ExportedMetrics.TARGET_LABELS);
            for (PromQl.Selector s : q.selectors()) {
                count("metrics referenced");
                Set<String> labels;
                if (ExportedMetrics.PROMETHEUS_SERIES.contains(s.metric())) {
                    labels = ExportedMetrics.TARGET_LABELS;
                } else {
                    labels = exported.labels(s.metric());
                    if (labels == null) {
                        problems.add(where + ": " + s.metric() + " is not exported by any service (" + ExportedMetrics.FILE + ")");
                        continue;
                    }
                }
                queryLabels.addAll(labels);
                for (var m : s.matchers().entrySet()) {
                    if (!labels.contains(m.getKey()) && !ExportedMetrics.TARGET_LABELS.contains(m.getKey())) {
                        problems.add(where + ": " + s.metric() + " has no label " + m.getKey() + " (it has " + labels + ")");
                    }
                    if (m.getKey().equals("service")) {
                        for (String value : m.getValue().split("\\|")) {
                            if (ServiceFacts.service(value).isEmpty()) {
                                problems.add(where + ": service=\"" + value + "\" is no service of ServiceCatalog");
                            } else if (!exported.exports(value, s.metric())) {
                                problems.add(where + ": " + value + " does not export " + s.metric());
                            }
                        }
                    }
                }
            }
            for (String label : q.groupingLabels()) {
                if (!queryLabels.contains(label)) {
                    problems.add(where + ": groups by " + label + ", a label none of its metrics has");
                }
            }
        });
        return problems;
    }

    private static void collectPanels(String file, JsonNode panels, Map<String, String> into) {
        for (JsonNode panel : panels) {
            for (JsonNode target : panel.path("targets")) {
                if (target.has("expr")) {
                    into.put(file + " panel '" + panel.path("title").asText() + "' " + target.path("refId").asText(), target.path("expr").asText());
                }
            }
            collectPanels(file, panel.path("panels"), into);
        }
    }

    // ---- autoscaling and Kafka access ---------------------------------------------------------------------------

    /**
     * KEDA scales each worker on its own consumer group and input topic, never beyond the topic's partitions; each
     * service's KafkaUser may read what it consumes and write what it produces (from the catalog), its group and
     * transactional ids are its own.
     */
    public List<String> autoscalingAndAccess() {
        List<String> problems = new ArrayList<>();
        Map<String, ServiceEntry> workloadService = new HashMap<>();
        for (Container c : containers) {
            if (!c.compose() && !c.patch() && c.service().isPresent()) {
                workloadService.put(c.doc().name(), c.service().get());
            }
        }
        Map<String, String> baseTopicOfScaledObject = new HashMap<>();
        Set<String> scaled = new TreeSet<>();
        for (Doc doc : tree.kubernetesDocs()) {
            if (!doc.kind().equals("ScaledObject") || tree.isPatch(doc)) {
                continue;
            }
            count("ScaledObjects");
            String target = doc.node().path("spec").path("scaleTargetRef").path("name").asText();
            ServiceEntry service = workloadService.get(target);
            if (service == null) {
                problems.add(doc.where() + ": scales " + target + ", which is no workload running a service");
                continue;
            }
            scaled.add(service.name());
            for (JsonNode trigger : doc.node().path("spec").path("triggers")) {
                if (!trigger.path("type").asText().equals("kafka")) {
                    continue;
                }
                JsonNode md = trigger.path("metadata");
                String topicName = md.path("topic").asText();
                Optional<Topic<?>> topic = ServiceFacts.topic(topicName);
                if (topic.isEmpty()) {
                    problems.add(doc.where() + ": trigger topic " + topicName + " is not in the catalog");
                    continue;
                }
                baseTopicOfScaledObject.put(doc.name(), topicName);
                if (!ServiceFacts.consumes(service, topic.get())) {
                    problems.add(doc.where() + ": scales " + service.name() + " on " + topicName + ", which it does not consume");
                }
                Optional<String> group = ServiceFacts.effective(service, propertiesOf(service, false), "consumer.group");
                if (group.isEmpty()) {
                    problems.add(doc.where() + ": " + service.name() + " has no consumer.group key to scale on");
                } else if (!group.get().equals(md.path("consumerGroup").asText())) {
                    problems.add(doc.where() + ": consumerGroup " + md.path("consumerGroup").asText() + " is not the group of "
                            + service.name() + " (consumer.group = " + group.get() + ")");
                }
                int max = doc.node().path("spec").path("maxReplicaCount").asInt(100);
                if (max > topic.get().defaultPartitions()) {
                    problems.add(doc.where() + ": maxReplicaCount " + max + " is above the " + topic.get().defaultPartitions()
                            + " partitions of " + topicName + " (the extra workers would sit idle)");
                }
                if (!md.path("lagThreshold").asText("").matches("[1-9]\\d*")) {
                    problems.add(doc.where() + ": lagThreshold " + md.path("lagThreshold") + " is not a positive number");
                }
            }
        }
        for (Doc doc : tree.kubernetesDocs()) {
            if (doc.kind().equals("ScaledObject") && tree.isPatch(doc)) {
                String topic = baseTopicOfScaledObject.get(doc.name());
                int max = doc.node().path("spec").path("maxReplicaCount").asInt(0);
                if (topic != null && max > Topics.byName(topic).orElseThrow().defaultPartitions()) {
                    problems.add(doc.where() + ": maxReplicaCount " + max + " is above the partitions of " + topic);
                }
            }
        }
        if (!tree.kubernetesDocs().isEmpty()) {
            for (ServiceEntry s : ServiceFacts.services()) {
                if (ServiceFacts.key(s, "consumer.group").isPresent() && !scaled.contains(s.name())) {
                    problems.add("deploy/k8s: no KEDA ScaledObject scales " + s.name() + " on its consumer-group lag");
                }
            }
        }
        problems.addAll(kafkaUsers());
        return problems;
    }

    private List<String> kafkaUsers() {
        List<String> problems = new ArrayList<>();
        Set<String> users = new TreeSet<>();
        for (Doc doc : tree.kubernetesDocs()) {
            if (!doc.kind().equals("KafkaUser")) {
                continue;
            }
            users.add(doc.name());
            count("KafkaUsers");
            Optional<ServiceEntry> service = ServiceFacts.service(doc.name());
            Set<String> reads = new TreeSet<>();
            Set<String> writes = new TreeSet<>();
            for (JsonNode acl : doc.node().path("spec").path("authorization").path("acls")) {
                JsonNode r = acl.path("resource");
                String type = r.path("type").asText();
                String name = r.path("name").asText();
                boolean prefix = r.path("patternType").asText("literal").equals("prefix");
                Set<String> ops = new TreeSet<>();
                acl.path("operations").forEach(o -> ops.add(o.asText()));
                if (type.equals("topic") && !prefix) {
                    Optional<Topic<?>> topic = ServiceFacts.topic(name);
                    if (topic.isEmpty()) {
                        problems.add(doc.where() + ": ACL on topic " + name + ", which is not in the catalog");
                        continue;
                    }
                    if (ops.contains("Read")) {
                        reads.add(name);
                    }
                    if (ops.contains("Write")) {
                        writes.add(name);
                    }
                    if (service.isPresent() && ops.contains("Read") && !ServiceFacts.consumes(service.get(), topic.get())) {
                        problems.add(doc.where() + ": may read " + name + ", which " + service.get().name() + " does not consume");
                    }
                    if (service.isPresent() && ops.contains("Write") && !ServiceFacts.produces(service.get(), topic.get())) {
                        problems.add(doc.where() + ": may write " + name + ", which " + service.get().name() + " does not produce");
                    }
                }
                if (service.isEmpty()) {
                    continue;
                }
                Map<String, String> props = propertiesOf(service.get(), false);
                Optional<String> group = ServiceFacts.effective(service.get(), props, "consumer.group");
                Optional<String> applicationId = service.get().configuration().keys().stream()
                        .filter(k -> k.name().endsWith(".application.id")).findFirst()
                        .flatMap(k -> ServiceFacts.effective(service.get(), props, k.name()));
                if (type.equals("group")) {
                    String expected = group.or(() -> applicationId).orElse("?");
                    if (!name.equals(expected)) {
                        problems.add(doc.where() + ": ACL on group " + name + ", the group of " + service.get().name() + " is " + expected);
                    }
                }
                if (type.equals("topic") && prefix && !applicationId.map(name::equals).orElse(false)) {
                    problems.add(doc.where() + ": ACL on topics prefixed " + name + ", not the application id of " + service.get().name());
                }
                if (type.equals("transactionalId") && group.isPresent() && !name.equals(group.get() + "-")) {
                    problems.add(doc.where() + ": transactional ids " + name + "*, the worker's are " + group.get() + "-<instance.id>");
                }
                if (type.equals("transactionalId") && applicationId.isPresent() && !name.equals(applicationId.get())) {
                    problems.add(doc.where() + ": transactional ids " + name + "*, Kafka Streams uses " + applicationId.get() + "*");
                }
            }
            if (service.isPresent()) {
                for (Topic<?> t : Topics.ALL) {
                    if (ServiceFacts.consumes(service.get(), t) && !reads.contains(t.name())) {
                        problems.add(doc.where() + ": " + service.get().name() + " consumes " + t.name() + " but may not read it");
                    }
                    if (ServiceFacts.produces(service.get(), t) && !writes.contains(t.name())) {
                        problems.add(doc.where() + ": " + service.get().name() + " produces " + t.name() + " but may not write it");
                    }
                }
            }
        }
        for (Container c : containers) {
            if (c.compose() || c.service().isEmpty()) {
                continue;
            }
            for (JsonNode e : c.node().path("env")) {
                if (e.path("name").asText().equals("LILNET_KAFKA_SASL_JAAS_CONFIG")) {
                    String secret = e.path("valueFrom").path("secretKeyRef").path("name").asText();
                    if (!secret.equals(c.service().get().name()) || !users.contains(secret)) {
                        problems.add(c.where() + ": takes its Kafka login from Secret " + secret + ", not from the KafkaUser "
                                + c.service().get().name() + " (whose ACLs are checked)");
                    }
                }
            }
        }
        return problems;
    }

    // ---- workloads ---------------------------------------------------------------------------------------------

    /**
     * Each service's pods: readiness on /health and liveness on /health/live at the service's http.port, its ports,
     * requests and limits with room above -Xmx, a grace period above shutdown.grace, non-root, a PodDisruptionBudget;
     * GPU variants ask for exactly one GPU and run the CUDA execution provider.
     */
    public List<String> workloads() {
        List<String> problems = new ArrayList<>();
        List<Doc> pdbs = tree.kubernetesDocs().stream().filter(d -> d.kind().equals("PodDisruptionBudget")).toList();
        Set<String> gpuConfigured = new TreeSet<>();
        for (Container c : containers) {
            if (c.service().isEmpty()) {
                continue;
            }
            ServiceEntry s = c.service().get();
            Map<String, String> props = propertiesOf(s, c.compose());
            boolean gpuImage = Workloads.ourImage(c.image()).map(n -> n.endsWith("-gpu")).orElse(false);
            if (c.compose()) {
                JsonNode devices = c.node().path("deploy").path("resources").path("reservations").path("devices");
                boolean gpu = false;
                for (JsonNode d : devices) {
                    gpu |= d.path("capabilities").toString().contains("gpu");
                    if (d.path("capabilities").toString().contains("gpu") && d.path("count").asInt(-1) != 1) {
                        problems.add(c.where() + ": reserves " + d.path("count") + " GPUs; a worker uses one");
                    }
                }
                if (gpu || gpuImage) {
                    problems.addAll(gpuProblems(c, s, gpu, gpuImage));
                    gpuConfigured.add("compose " + s.name());
                }
                continue;
            }
            JsonNode limits = c.node().path("resources").path("limits");
            boolean gpu = limits.has("nvidia.com/gpu");
            if (gpu) {
                if (limits.path("nvidia.com/gpu").asInt() != 1) {
                    problems.add(c.where() + ": nvidia.com/gpu " + limits.path("nvidia.com/gpu") + "; a worker uses one GPU");
                }
                boolean gpuImageInOverlay = tree.kustomizations().stream()
                        .filter(k -> tree.isPatch(c.doc()) && c.doc().file().startsWith(Path.of(k.file()).getParent().toString()))
                        .flatMap(k -> iterable(k.node().path("images")).stream())
                        .anyMatch(i -> i.path("name").asText().equals("lilnet/" + s.name())
                                && i.path("newName").asText().equals("lilnet/" + s.name() + "-gpu"));
                problems.addAll(gpuProblems(c, s, true, gpuImage || gpuImageInOverlay));
                gpuConfigured.add("k8s " + s.name());
            }
            if (c.patch()) {
                continue;
            }
            count("workloads");
            JsonNode pod = Workloads.podSpec(c.doc().node());
            int httpPort = Integer.parseInt(ServiceFacts.effective(s, props, "http.port").orElse("-1"));
            Map<String, Integer> ports = new HashMap<>();
            for (JsonNode p : c.node().path("ports")) {
                ports.put(p.path("name").asText(""), p.path("containerPort").asInt());
            }
            for (var key : ServiceFacts.portKeys(s).keySet()) {
                int port = Integer.parseInt(ServiceFacts.effective(s, props, key).orElse("-1"));
                if (!ports.containsValue(port)) {
                    problems.add(c.where() + ": does not declare container port " + port + " (" + key + ")");
                }
            }
            problems.addAll(probe(c, "readinessProbe", "/health", httpPort, ports));
            problems.addAll(probe(c, "livenessProbe", "/health/live", httpPort, ports));
            JsonNode requests = c.node().path("resources").path("requests");
            if (!requests.has("cpu") || !requests.has("memory") || !limits.has("memory")) {
                problems.add(c.where() + ": needs requests (cpu, memory) and a memory limit");
            } else {
                String javaOpts = c.env().containsKey("JAVA_OPTS") ? c.env().get("JAVA_OPTS")
                        : Workloads.ourImage(c.image()).map(tree.dockerfiles()::get).map(d -> d.runtime().env().get("JAVA_OPTS")).orElse(null);
                long heap = Workloads.maxHeap(javaOpts);
                long limit = Workloads.quantity(limits.path("memory").asText());
                if (heap <= 0 || limit < heap + (256L << 20)) {
                    problems.add(c.where() + ": memory limit " + limits.path("memory").asText() + " leaves no room above the heap ("
                            + javaOpts + ")");
                }
            }
            Optional<String> grace = ServiceFacts.effective(s, props, "shutdown.grace");
            if (grace.isPresent()) {
                // parsed by the service's own key, so the check reads the value exactly as the worker will
                long seconds = ((Duration) ServiceFacts.key(s, "shutdown.grace").orElseThrow().parse(grace.get())).toSeconds();
                if (pod.path("terminationGracePeriodSeconds").asLong(30) <= seconds) {
                    problems.add(c.where() + ": terminationGracePeriodSeconds " + pod.path("terminationGracePeriodSeconds").asLong(30)
                            + " is not above shutdown.grace (" + grace.get() + ")");
                }
            }
            if (!pod.path("securityContext").path("runAsNonRoot").asBoolean(false)) {
                problems.add(c.where() + ": the pod does not set runAsNonRoot");
            }
            JsonNode labels = c.doc().node().path("spec").path("template").path("metadata").path("labels");
            boolean budget = pdbs.stream().anyMatch(pdb -> {
                JsonNode match = pdb.node().path("spec").path("selector").path("matchLabels");
                if (match.isEmpty()) {
                    return false;
                }
                for (var it = match.fields(); it.hasNext(); ) {
                    var e = it.next();
                    if (!e.getValue().asText().equals(labels.path(e.getKey()).asText(null))) {
                        return false;
                    }
                }
                return true;
            });
            if (!budget) {
                problems.add(c.where() + ": no PodDisruptionBudget selects its pods");
            }
        }
        for (ServiceEntry s : ServiceFacts.services()) {
            if (!ServiceFacts.runsModels(s)) {
                continue;
            }
            if (!tree.kubernetesDocs().isEmpty() && !gpuConfigured.contains("k8s " + s.name())) {
                problems.add("deploy/k8s: no GPU configuration of " + s.name() + " (nvidia.com/gpu: 1)");
            }
            if (!tree.composeDocs().isEmpty() && !gpuConfigured.contains("compose " + s.name())) {
                problems.add("deploy/compose: no GPU configuration of " + s.name());
            }
        }
        return problems;
    }

    private List<String> gpuProblems(Container c, ServiceEntry s, boolean asksForGpu, boolean gpuImage) {
        List<String> problems = new ArrayList<>();
        if (!ServiceFacts.runsModels(s)) {
            problems.add(c.where() + ": asks for a GPU but " + s.name() + " runs no model");
            return problems;
        }
        if (!asksForGpu) {
            problems.add(c.where() + ": runs the GPU image but asks for no GPU");
        }
        if (!gpuImage) {
            problems.add(c.where() + ": asks for a GPU but does not run lilnet/" + s.name() + "-gpu (the CPU image has no CUDA)");
        }
        String provider = c.env().get("LILNET_INFERENCE_EXECUTION_PROVIDER");
        if (provider == null || !provider.equalsIgnoreCase("cuda")) {
            problems.add(c.where() + ": asks for a GPU but does not set LILNET_INFERENCE_EXECUTION_PROVIDER=cuda (the default is "
                    + ServiceFacts.key(s, "inference.execution.provider").map(k -> k.formattedDefault()).orElse("?") + ")");
        }
        return problems;
    }

    private static List<String> probe(Container c, String probe, String path, int httpPort, Map<String, Integer> ports) {
        JsonNode get = c.node().path(probe).path("httpGet");
        if (get.isMissingNode()) {
            return List.of(c.where() + ": no " + probe + " (httpGet " + path + ")");
        }
        List<String> problems = new ArrayList<>();
        if (!get.path("path").asText().equals(path)) {
            problems.add(c.where() + ": " + probe + " asks " + get.path("path").asText() + ", expected " + path);
        }
        JsonNode port = get.path("port");
        int number = port.isInt() ? port.asInt() : ports.getOrDefault(port.asText(), -1);
        if (number != httpPort) {
            problems.add(c.where() + ": " + probe + " on port " + port.asText() + " (" + number + "), the service's http.port is " + httpPort);
        }
        return problems;
    }

    private static List<JsonNode> iterable(JsonNode node) {
        List<JsonNode> out = new ArrayList<>();
        node.forEach(out::add);
        return out;
    }

    // ---- alerts and kustomizations -----------------------------------------------------------------------------

    /** The Prometheus Operator's PrometheusRule carries the same alert groups as the Compose stack's rules file. */
    public List<String> alertsInSync() {
        List<String> problems = new ArrayList<>();
        for (Doc rule : tree.kubernetesDocs()) {
            if (!rule.kind().equals("PrometheusRule")) {
                continue;
            }
            count("PrometheusRules");
            JsonNode groups = rule.node().path("spec").path("groups");
            boolean same = tree.prometheusRuleFiles().stream().anyMatch(f -> f.node().path("groups").equals(groups));
            if (!same) {
                problems.add(rule.where() + ": its groups differ from every file of deploy/monitoring/prometheus (keep one set of alerts)");
            }
        }
        return problems;
    }

    /** What kustomizations and Compose files name exists: resources, patches, generator files, mounted files. */
    public List<String> kustomizations() {
        List<String> problems = new ArrayList<>();
        Set<String> generatedConfigMaps = new LinkedHashSet<>();
        for (Kustomization k : tree.kustomizations()) {
            Path dir = k.dir(tree.root());
            List<String> paths = new ArrayList<>();
            k.node().path("resources").forEach(r -> paths.add(r.asText()));
            k.node().path("patches").forEach(p -> paths.add(p.isTextual() ? p.asText() : p.path("path").asText()));
            for (JsonNode generator : k.node().path("configMapGenerator")) {
                generatedConfigMaps.add(generator.path("name").asText());
                generator.path("files").forEach(f -> paths.add(f.asText().contains("=") ? f.asText().split("=", 2)[1] : f.asText()));
            }
            for (String p : paths) {
                count("kustomize references");
                Path target = dir.resolve(p).normalize();
                if (!Files.exists(target) || (Files.isDirectory(target) && !Files.exists(target.resolve("kustomization.yaml")))) {
                    problems.add(k.file() + ": " + p + " does not exist");
                }
            }
        }
        for (Container c : containers) {
            if (c.compose()) {
                for (JsonNode v : c.node().path("volumes")) {
                    String source = Workloads.interpolate(v.asText()).split(":")[0];
                    if (source.startsWith(".")) {
                        count("mounted files");
                        if (!Files.exists(tree.root().resolve(c.doc().file()).getParent().resolve(source).normalize())) {
                            problems.add(c.where() + ": mounts " + source + ", which does not exist");
                        }
                    }
                }
            } else if (!c.patch() && c.service().isPresent()) {
                JsonNode pod = Workloads.podSpec(c.doc().node());
                for (JsonNode v : pod.path("volumes")) {
                    String cm = v.path("configMap").path("name").asText("");
                    if (!cm.isEmpty() && !generatedConfigMaps.contains(cm)) {
                        problems.add(c.where() + ": mounts ConfigMap " + cm + ", which no kustomization generates");
                    }
                }
            }
        }
        return problems;
    }
}

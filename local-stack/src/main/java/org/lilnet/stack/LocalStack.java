package org.lilnet.stack;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.lilnet.common.kafka.Dependencies;
import org.lilnet.common.kafka.RegistryAccess;
import org.lilnet.common.kafka.SchemaRegistration;
import org.lilnet.common.topics.Topic;
import org.lilnet.common.topics.Topics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * A real Kafka broker and a real Apicurio Registry as child processes, ready to use: started in parallel,
 * waited for, topics of the catalog created, the registry's global compatibility rule set to BACKWARD, our schemas
 * registered. Or, with
 * {@link StackOptions#external}, an existing cluster and registry prepared the same way. {@link #close} stops
 * both and leaves no process behind.
 */
public final class LocalStack implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LocalStack.class);
    private static final Duration READY_TIMEOUT = Duration.ofMinutes(3);

    private final StackOptions options;
    private final KafkaBroker broker;
    private final SchemaRegistryServer registry;

    private LocalStack(StackOptions options, KafkaBroker broker, SchemaRegistryServer registry) {
        this.options = options;
        this.broker = broker;
        this.registry = registry;
    }

    /** Starts (or connects to) the stack and returns when it can be used. */
    public static LocalStack start(StackOptions options) throws IOException, InterruptedException {
        KafkaBroker broker = null;
        SchemaRegistryServer registry = null;
        if (options.externalBootstrap().isEmpty() || options.externalRegistry().isEmpty()) {
            StackRuntime runtime = StackRuntime.load();
            var logs = options.dataDirectory().resolve("logs");
            if (options.externalBootstrap().isEmpty()) {
                broker = new KafkaBroker(runtime, options.dataDirectory().resolve("kafka"), logs, options.host(), options.kafkaPort(),
                        options.controllerPort(), options.brokerHeap());
            }
            if (options.externalRegistry().isEmpty()) {
                var javaHome = options.registryJavaHome().or(() -> JavaRuntimes.find(21)).orElseThrow(() -> new IllegalStateException(
                        "the schema registry (Apicurio Registry " + runtime.registryVersion() + ") needs Java 21 or newer and none was found "
                                + "under /usr/lib/jvm: install one (e.g. apt-get install openjdk-21-jre-headless, or Temurin 25) "
                                + "or point LILNET_REGISTRY_JAVA_HOME at it"));
                registry = new SchemaRegistryServer(runtime, options.dataDirectory().resolve("registry"), logs, options.cacheDirectory(),
                        javaHome, options.host(), options.registryPort(), options.registryManagementPort(), options.registryHeap());
            }
        }
        LocalStack stack = new LocalStack(options, broker, registry);
        try {
            stack.startProcesses();
            stack.awaitReady();
            stack.prepare();
            return stack;
        } catch (IOException | InterruptedException | RuntimeException e) {
            stack.close();
            throw e;
        }
    }

    private void startProcesses() throws IOException, InterruptedException {
        if (registry != null) {
            registry.start();
            LOG.info("schema registry starting ({}), log {}", registry.process(), registry.process().log());
        }
        if (broker != null) {
            broker.start();
            LOG.info("Kafka broker starting ({}), log {}", broker.process(), broker.process().log());
        }
    }

    private void awaitReady() {
        awaitBroker();
        awaitRegistry();
    }

    private void awaitBroker() {
        try {
            Dependencies.awaitKafka(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()), READY_TIMEOUT);
        } catch (Dependencies.NotAvailable e) {
            throw new IllegalStateException(e.getMessage() + withLog(broker == null ? null : broker.process()), e);
        }
    }

    private void awaitRegistry() {
        try {
            Dependencies.awaitRegistry(RegistryAccess.of(registryUrl()), READY_TIMEOUT);
        } catch (Dependencies.NotAvailable e) {
            throw new IllegalStateException(e.getMessage() + withLog(registry == null ? null : registry.process()), e);
        }
    }

    private static String withLog(ChildProcess process) {
        if (process == null) {
            return "";
        }
        return (process.isAlive() ? "" : "; the process has exited") + "; last lines of " + process.log() + ":\n" + process.logTail(30);
    }

    /** Creates the catalog's topics where missing, sets the registry's compatibility rule, registers our schemas. */
    private void prepare() throws InterruptedException {
        createTopics(bootstrapServers(), Topics.ALL);
        setGlobalCompatibilityRule();
        RegistryAccess access = RegistryAccess.of(registryUrl());
        for (Topic<?> topic : Topics.ALL) {
            SchemaRegistration.Registered registered = SchemaRegistration.ensureRegistered(access, topic);
            LOG.info("schema of {} is version {} of {} (id {})", topic.name(), registered.version(), registered.subject(), registered.id());
        }
    }

    /** Creates topics where missing, with their catalog partition counts (replication factor 1 on one broker, else 3). */
    public static void createTopics(String bootstrapServers, List<Topic<?>> topics) throws InterruptedException {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            int brokers = admin.describeCluster().nodes().get(30, TimeUnit.SECONDS).size();
            short replication = (short) Math.min(3, brokers);
            for (Topic<?> topic : topics) {
                try {
                    admin.createTopics(List.of(new NewTopic(topic.name(), topic.defaultPartitions(), replication))).all().get(30, TimeUnit.SECONDS);
                    LOG.info("created topic {} ({} partitions)", topic.name(), topic.defaultPartitions());
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("cannot create topic " + topic.name() + ": " + e.getCause().getMessage(), e);
                    }
                }
            }
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("cannot reach Kafka at " + bootstrapServers + " to create topics: " + e.getMessage(), e);
        }
    }

    private void setGlobalCompatibilityRule() throws InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(RegistryAccess.of(registryUrl()).v3Url() + "/admin/rules"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"ruleType\":\"COMPATIBILITY\",\"config\":\"BACKWARD\"}"))
                .timeout(Duration.ofSeconds(10)).build();
        try {
            int status = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
            if (status != 204 && status != 200 && status != 409) {
                LOG.warn("could not set the registry's BACKWARD compatibility rule (HTTP {}); schemas are still checked in the build", status);
            }
        } catch (IOException e) {
            LOG.warn("could not set the registry's compatibility rule: {}", e.getMessage());
        }
    }

    public String bootstrapServers() {
        return options.externalBootstrap().orElseGet(() -> broker.bootstrapServers());
    }

    public String registryUrl() {
        return options.externalRegistry().orElseGet(() -> registry.url());
    }

    public StackOptions options() {
        return options;
    }

    /** The broker process, or null when the cluster is external. */
    public ChildProcess brokerProcess() {
        return broker == null ? null : broker.process();
    }

    /** The registry process, or null when the registry is external. */
    public ChildProcess registryProcess() {
        return registry == null ? null : registry.process();
    }

    /** Stops the broker (SIGTERM, controlled shutdown): for failure tests. */
    public void stopBroker() {
        requireOwned(broker, "broker").stop(Duration.ofSeconds(30));
    }

    /** Starts the broker again on the same data and port, and waits until it answers. */
    public void restartBroker() throws IOException, InterruptedException {
        requireOwned(broker, "broker").start();
        awaitBroker();
    }

    public void stopRegistry() {
        requireOwned(registry, "registry").stop(Duration.ofSeconds(30));
    }

    public void restartRegistry() throws IOException, InterruptedException {
        requireOwned(registry, "registry").start();
        awaitRegistry();
    }

    private static <T> T requireOwned(T component, String what) {
        if (component == null) {
            throw new IllegalStateException("the " + what + " is external: this stack did not start it");
        }
        return component;
    }

    @Override
    public void close() {
        if (registry != null) {
            registry.stop(Duration.ofSeconds(30));
        }
        if (broker != null) {
            broker.stop(Duration.ofSeconds(30));
        }
    }
}

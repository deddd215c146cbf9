package org.lilnet.deploy;

import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.lilnet.common.config.ConfigDefinition;
import org.lilnet.common.config.ConfigException;
import org.lilnet.common.config.ConfigKey;
import org.lilnet.common.topics.Topic;
import org.lilnet.common.topics.Topics;
import org.lilnet.launcher.ServiceCatalog;
import org.lilnet.launcher.ServiceCatalog.ServiceEntry;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * What the code says about the services, taken from the code itself: {@link ServiceCatalog} (names, main classes,
 * configuration definitions), the topic catalog {@link Topics}, and the Kafka clients' own lists of settings.
 */
public final class ServiceFacts {

    /** The {@code lilnet} command (the tools image). */
    public static final String LAUNCHER_MAIN = "org.lilnet.launcher.Lilnet";
    public static final String LAUNCHER_MODULE = "launcher";

    /** Services that run Kafka Streams: their kafka.* settings may also be Streams settings. */
    private static final Set<String> STREAMS_SERVICES = Set.of(ServiceCatalog.AGGREGATOR.name());

    private ServiceFacts() {
    }

    public static List<ServiceEntry> services() {
        return ServiceCatalog.ALL;
    }

    public static Optional<ServiceEntry> service(String name) {
        return ServiceCatalog.ALL.stream().filter(s -> s.name().equals(name)).findFirst();
    }

    public static Optional<ServiceEntry> byMainClass(String mainClass) {
        return ServiceCatalog.ALL.stream().filter(s -> s.mainClass().equals(mainClass)).findFirst();
    }

    public static Optional<ConfigKey<?>> key(ServiceEntry service, String name) {
        return service.configuration().keys().stream().filter(k -> k.name().equals(name)).findFirst();
    }

    /** The key an environment variable sets, or empty. */
    public static Optional<ConfigKey<?>> keyOfVariable(ServiceEntry service, String variable) {
        return service.configuration().keys().stream().filter(k -> k.environmentVariable().equals(variable)).findFirst();
    }

    /** True for services that run models (they declare the execution provider): they get a GPU variant. */
    public static boolean runsModels(ServiceEntry service) {
        return key(service, "inference.execution.provider").isPresent();
    }

    /** Ports the service listens on: the defaults of its int keys named {@code *.port}. */
    public static Map<String, Integer> portKeys(ServiceEntry service) {
        Map<String, Integer> ports = new TreeMap<>();
        for (ConfigKey<?> key : service.configuration().keys()) {
            if (key.name().endsWith(".port") && key.typeName().equals("int") && key.defaultValue().isPresent()) {
                ports.put(key.name(), (Integer) key.defaultValue().get());
            }
        }
        return ports;
    }

    /** Kafka client settings the service's clients understand (kafka.* pass-through, prefix removed). */
    public static Set<String> kafkaClientSettings(ServiceEntry service) {
        Set<String> names = new HashSet<>();
        names.addAll(ProducerConfig.configNames());
        names.addAll(ConsumerConfig.configNames());
        names.addAll(AdminClientConfig.configNames());
        if (STREAMS_SERVICES.contains(service.name())) {
            names.addAll(StreamsConfig.configDef().names());
        }
        return names;
    }

    /**
     * Problems with one configuration key as a manifest sets it (from a properties file, or an environment variable
     * already turned into its key name): unknown keys, unknown Kafka settings; an empty list when it is fine.
     */
    public static List<String> keyProblems(ServiceEntry service, String key) {
        ConfigDefinition definition = service.configuration();
        if (definition.declares(key)) {
            return List.of();
        }
        if (key.startsWith(ConfigDefinition.KAFKA_PREFIX)) {
            String setting = key.substring(ConfigDefinition.KAFKA_PREFIX.length());
            return kafkaClientSettings(service).contains(setting) ? List.of()
                    : List.of("'" + key + "' passes '" + setting + "' to the Kafka clients of " + service.name() + ", which is not a Kafka client setting");
        }
        if (key.startsWith(ConfigDefinition.REGISTRY_CLIENT_PREFIX)) {
            return List.of();
        }
        return List.of("'" + key + "' is not a configuration key of " + service.name());
    }

    /**
     * The key an environment variable {@code LILNET_*} sets for a service, the way {@link ConfigDefinition#load} reads
     * it: a declared key's variable, or the kafka / apicurio.registry pass-through. Empty for unknown variables, which
     * the service ignores silently (that is why the manifests are checked).
     */
    public static Optional<String> keyOfEnvironmentVariable(ServiceEntry service, String variable) {
        Optional<ConfigKey<?>> declared = keyOfVariable(service, variable);
        if (declared.isPresent()) {
            return Optional.of(declared.get().name());
        }
        String kafka = ConfigDefinition.ENV_PREFIX + "KAFKA_";
        String registry = ConfigDefinition.ENV_PREFIX + "APICURIO_REGISTRY_";
        if (variable.startsWith(kafka)) {
            return Optional.of(ConfigDefinition.KAFKA_PREFIX + variable.substring(kafka.length()).toLowerCase(Locale.ROOT).replace('_', '.'));
        }
        if (variable.startsWith(registry)) {
            return Optional.of(ConfigDefinition.REGISTRY_CLIENT_PREFIX + variable.substring(registry.length()).toLowerCase(Locale.ROOT).replace('_', '.'));
        }
        return Optional.empty();
    }

    /** What the service's own validation says about these values (file values and environment), as its start-up would. */
    public static List<String> validate(ServiceEntry service, Map<String, String> fileValues, Map<String, String> environment) {
        try {
            service.configuration().load(fileValues, environment);
            return List.of();
        } catch (ConfigException e) {
            return e.problems();
        }
    }

    /** The value a key has for a service given a properties file: the file's, else the definition's default. */
    public static Optional<String> effective(ServiceEntry service, Map<String, String> fileValues, String key) {
        if (fileValues.containsKey(key)) {
            return Optional.of(fileValues.get(key));
        }
        return key(service, key).map(ConfigKey::formattedDefault).filter(s -> !s.isEmpty());
    }

    public static Optional<Topic<?>> topic(String name) {
        return Topics.byName(name);
    }

    /** True when the catalog lists the service among the topic's consumers (or producers). */
    public static boolean consumes(ServiceEntry service, Topic<?> topic) {
        return List.of(topic.consumers().split(",\\s*")).contains(service.name());
    }

    public static boolean produces(ServiceEntry service, Topic<?> topic) {
        List<String> producers = List.of(topic.producers().split(",\\s*"));
        return producers.contains(service.name()) || producers.contains("every service");
    }
}

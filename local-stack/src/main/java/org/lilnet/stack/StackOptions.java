package org.lilnet.stack;

import java.nio.file.Path;
import java.util.Optional;

/**
 * How to run the local stack. Default ports stay clear of common ones (Kafka 9092, registries 8080/8081,
 * Quarkus management 9000): broker 29092, controller 29093, registry 28080, registry management 28081.
 *
 * @param dataDirectory          broker log directory, registry database and logs
 * @param cacheDirectory         where the registry application is unpacked once
 * @param host                   interface the broker and registry bind to and advertise
 * @param kafkaPort              broker client port
 * @param controllerPort         KRaft controller port
 * @param registryPort           registry HTTP port
 * @param registryManagementPort registry health/metrics port
 * @param registryJavaHome       Java 21+ for the registry; found automatically when empty
 * @param brokerHeap             broker -Xmx
 * @param registryHeap           registry -Xmx
 * @param externalBootstrap      use this cluster instead of starting a broker
 * @param externalRegistry       use this registry instead of starting one
 */
public record StackOptions(Path dataDirectory, Path cacheDirectory, String host, int kafkaPort, int controllerPort, int registryPort,
                           int registryManagementPort, Optional<Path> registryJavaHome, String brokerHeap, String registryHeap,
                           Optional<String> externalBootstrap, Optional<String> externalRegistry) {

    public static final int DEFAULT_KAFKA_PORT = 29092;
    public static final int DEFAULT_CONTROLLER_PORT = 29093;
    public static final int DEFAULT_REGISTRY_PORT = 28080;
    public static final int DEFAULT_REGISTRY_MANAGEMENT_PORT = 28081;

    public static StackOptions defaults(Path dataDirectory) {
        return new StackOptions(dataDirectory, defaultCache(), "127.0.0.1", DEFAULT_KAFKA_PORT, DEFAULT_CONTROLLER_PORT,
                DEFAULT_REGISTRY_PORT, DEFAULT_REGISTRY_MANAGEMENT_PORT, Optional.empty(), "512m", "384m", Optional.empty(), Optional.empty());
    }

    /** Defaults on free ports: for tests and for stacks side by side. */
    public static StackOptions onFreePorts(Path dataDirectory) {
        int[] ports = FreePorts.allocate(4);
        return defaults(dataDirectory).withPorts(ports[0], ports[1], ports[2], ports[3]);
    }

    public StackOptions withPorts(int kafka, int controller, int registry, int registryManagement) {
        return new StackOptions(dataDirectory, cacheDirectory, host, kafka, controller, registry, registryManagement, registryJavaHome,
                brokerHeap, registryHeap, externalBootstrap, externalRegistry);
    }

    public StackOptions withRegistryJavaHome(Path home) {
        return new StackOptions(dataDirectory, cacheDirectory, host, kafkaPort, controllerPort, registryPort, registryManagementPort,
                Optional.of(home), brokerHeap, registryHeap, externalBootstrap, externalRegistry);
    }

    /** Use an existing cluster and registry: nothing is started, topics are created where missing. */
    public StackOptions external(String bootstrapServers, String registryUrl) {
        return new StackOptions(dataDirectory, cacheDirectory, host, kafkaPort, controllerPort, registryPort, registryManagementPort,
                registryJavaHome, brokerHeap, registryHeap, Optional.ofNullable(bootstrapServers), Optional.ofNullable(registryUrl));
    }

    static Path defaultCache() {
        String env = System.getenv("LILNET_CACHE");
        return env != null && !env.isBlank() ? Path.of(env) : Path.of(System.getProperty("user.home"), ".cache", "lilnet");
    }
}

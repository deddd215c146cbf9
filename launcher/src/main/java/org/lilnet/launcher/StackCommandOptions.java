package org.lilnet.launcher;

import org.lilnet.stack.StackOptions;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** Where the stack runs, shared by the commands that need one: a local broker and registry, or an existing cluster. */
public final class StackCommandOptions {

    static final Path DEFAULT_DATA_DIR = Path.of("data/stack");

    @Option(names = "--data-dir", description = "Data directory of the local stack (broker logs, registry database, logs). "
            + "Default: data/stack (lilnet run: a fresh one in its work directory).")
    Path dataDir;

    @Option(names = "--bootstrap-servers", description = "Use this Kafka cluster instead of starting a broker.")
    String bootstrapServers;

    @Option(names = "--registry-url", description = "Use this schema registry instead of starting one.")
    String registryUrl;

    @Option(names = "--kafka-port", description = "Local broker port. Default: ${DEFAULT-VALUE}")
    int kafkaPort = StackOptions.DEFAULT_KAFKA_PORT;

    @Option(names = "--controller-port", description = "Local KRaft controller port. Default: ${DEFAULT-VALUE}")
    int controllerPort = StackOptions.DEFAULT_CONTROLLER_PORT;

    @Option(names = "--registry-port", description = "Local registry HTTP port. Default: ${DEFAULT-VALUE}")
    int registryPort = StackOptions.DEFAULT_REGISTRY_PORT;

    @Option(names = "--registry-management-port", description = "Local registry health port. Default: ${DEFAULT-VALUE}")
    int registryManagementPort = StackOptions.DEFAULT_REGISTRY_MANAGEMENT_PORT;

    @Option(names = "--free-ports", description = "Run the local stack on free ports instead of the ones above.")
    boolean freePorts;

    @Option(names = "--registry-java-home", description = "Java 21+ for the registry (default: $LILNET_REGISTRY_JAVA_HOME, else found under /usr/lib/jvm).")
    Path registryJavaHome;

    StackOptions options() {
        return options(DEFAULT_DATA_DIR);
    }

    /** The stack's options; {@code defaultDataDir} unless --data-dir names one. */
    StackOptions options(Path defaultDataDir) {
        // absolute: the broker and the registry run in directories of their own, where a relative path means something else
        Path data = (dataDir == null ? defaultDataDir : dataDir).toAbsolutePath().normalize();
        StackOptions options = freePorts ? StackOptions.onFreePorts(data)
                : StackOptions.defaults(data).withPorts(kafkaPort, controllerPort, registryPort, registryManagementPort);
        String fromEnv = System.getenv("LILNET_REGISTRY_JAVA_HOME");
        if (registryJavaHome != null) {
            options = options.withRegistryJavaHome(registryJavaHome);
        } else if (fromEnv != null && !fromEnv.isBlank()) {
            options = options.withRegistryJavaHome(Path.of(fromEnv));
        }
        if (bootstrapServers != null || registryUrl != null) {
            options = options.external(bootstrapServers, registryUrl);
        }
        return options;
    }

    /** True when --bootstrap-servers or --registry-url names something to use instead of a local process. */
    boolean usesExistingCluster() {
        return bootstrapServers != null || registryUrl != null;
    }

    String describe() {
        if (bootstrapServers != null || registryUrl != null) {
            return "kafka " + (bootstrapServers == null ? "local" : bootstrapServers) + ", registry " + (registryUrl == null ? "local" : registryUrl);
        }
        return "data in " + (dataDir == null ? DEFAULT_DATA_DIR : dataDir);
    }
}

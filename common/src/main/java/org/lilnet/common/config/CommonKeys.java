package org.lilnet.common.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** Keys every Kafka service shares; each service adds its own in its {@link ConfigDefinition}. */
public final class CommonKeys {

    private CommonKeys() {
    }

    public static final ConfigKey<String> KAFKA_BOOTSTRAP_SERVERS = ConfigKey.string("kafka.bootstrap.servers",
                    "Kafka brokers to connect to. Every other kafka.* key is passed to the Kafka clients as is (TLS, SASL).")
            .validatedBy(ConfigKey.hostPortList(), "a comma-separated host:port list");

    public static final ConfigKey<String> REGISTRY_URL = ConfigKey.string("registry.url",
                    "Base URL of the Apicurio schema registry, e.g. http://registry:8080 (its /apis/registry/v3 API is used). "
                            + "Every apicurio.registry.* key is passed to the serdes as is (TLS, OAuth).")
            .validatedBy(ConfigKey.httpUrl(), "an http(s) URL");

    public static final ConfigKey<Duration> STARTUP_WAIT = ConfigKey.duration("startup.wait",
                    "How long to wait at start-up for the broker and the registry before giving up (the service says what it waits for).")
            .withDefault(Duration.ofMinutes(5)).validatedBy(ConfigKey.positive(), "positive");

    public static final ConfigKey<String> INSTANCE_ID = ConfigKey.string("instance.id",
                    "Name of this instance in logs, dead letters and Kafka transactional ids; unique per running instance. "
                            + "Defaults to host name and process id.")
            .optional().validatedBy(s -> s.matches("[A-Za-z0-9._-]+"), "letters, digits, '.', '_' or '-'");

    public static final ConfigKey<String> HTTP_HOST = ConfigKey.string("http.host",
            "Interface the /health and /metrics endpoints listen on.").withDefault("0.0.0.0");

    public static final ConfigKey<Path> BLOB_STORE_DIR = ConfigKey.path("blob.store.dir",
            "Root directory of the filesystem blob store that holds the received DICOM files (a shared volume in a cluster).")
            .withDefault(Path.of("data/blobs"));

    /** The port of /health and /metrics; services differ in the default so that they can share a host. */
    public static ConfigKey<Integer> httpPort(int defaultPort) {
        return ConfigKey.integer("http.port", "Port of the /health and /metrics endpoints; 0 picks a free port.")
                .withDefault(defaultPort).validatedBy(ConfigKey.between(0, 65535), "between 0 and 65535");
    }

    /** Shared keys of a service that talks to Kafka and the registry. */
    public static List<ConfigKey<?>> kafkaService(int defaultHttpPort) {
        return List.of(KAFKA_BOOTSTRAP_SERVERS, REGISTRY_URL, STARTUP_WAIT, INSTANCE_ID, HTTP_HOST, httpPort(defaultHttpPort));
    }
}

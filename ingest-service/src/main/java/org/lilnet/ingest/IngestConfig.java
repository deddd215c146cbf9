package org.lilnet.ingest;

import org.lilnet.common.config.CommonKeys;
import org.lilnet.common.config.ConfigDefinition;
import org.lilnet.common.config.ConfigKey;

import java.util.List;

/** The configuration keys of the ingest-service, declared once: validated at start-up, listed in docs/configuration.md. */
public final class IngestConfig {

    private IngestConfig() {
    }

    public static final int DEFAULT_HTTP_PORT = 28180;

    /** Keys of this service beyond the shared ones. */
    static final List<ConfigKey<?>> OWN_KEYS = List.of();

    public static final ConfigDefinition DEFINITION = ConfigDefinition.of("ingest-service", CommonKeys.kafkaService(DEFAULT_HTTP_PORT), OWN_KEYS);
}

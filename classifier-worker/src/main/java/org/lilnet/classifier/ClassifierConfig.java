package org.lilnet.classifier;

import org.lilnet.common.config.CommonKeys;
import org.lilnet.common.config.ConfigDefinition;
import org.lilnet.common.config.ConfigKey;
import org.lilnet.common.kafka.KafkaSettings;
import org.lilnet.inference.InferenceKeys;
import org.lilnet.worker.WorkerKeys;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The configuration keys of the classifier-worker, declared once: validated at start-up, listed in docs/configuration.md. */
public final class ClassifierConfig {

    private ClassifierConfig() {
    }

    public static final int DEFAULT_HTTP_PORT = 28182;

    public static final WorkerKeys WORKER = WorkerKeys.withDefaults("classifier-worker", 32, Duration.ofMillis(50), 0,
            KafkaSettings.DEFAULT_COMPRESSION);

    /** Keys of this service beyond the shared ones. */
    static final List<ConfigKey<?>> OWN_KEYS;

    static {
        List<ConfigKey<?>> own = new ArrayList<>();
        own.add(CommonKeys.BLOB_STORE_DIR);
        own.addAll(InferenceKeys.ALL);
        own.addAll(WORKER.all());
        OWN_KEYS = List.copyOf(own);
    }

    public static final ConfigDefinition DEFINITION = ConfigDefinition.of("classifier-worker", CommonKeys.kafkaService(DEFAULT_HTTP_PORT), OWN_KEYS);
}

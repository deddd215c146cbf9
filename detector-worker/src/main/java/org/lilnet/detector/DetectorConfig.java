package org.lilnet.detector;

import org.lilnet.common.config.CommonKeys;
import org.lilnet.common.config.ConfigDefinition;
import org.lilnet.common.config.ConfigKey;
import org.lilnet.inference.InferenceKeys;
import org.lilnet.worker.WorkerKeys;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The configuration keys of the detector-worker, declared once: validated at start-up, listed in docs/configuration.md. */
public final class DetectorConfig {

    private DetectorConfig() {
    }

    public static final int DEFAULT_HTTP_PORT = 28181;

    public static final ConfigKey<Double> WINDOW_LEVEL = ConfigKey.decimal("window.level",
            "Centre of the Hounsfield window that renders slices to 8 bits, HU (recorded in every result).").withDefault(40.0);

    public static final ConfigKey<Double> WINDOW_WIDTH = ConfigKey.decimal("window.width",
                    "Width of the Hounsfield window, HU (default: abdominal soft tissue, -160..240 HU).")
            .withDefault(400.0).validatedBy(w -> w > 0, "positive");

    /** Its records are mostly crop pixels, which lz4 hardly shrinks (worker.output.compression): none. */
    public static final WorkerKeys WORKER = WorkerKeys.withDefaults("detector-worker", 8, Duration.ofMillis(50), 0, "none");

    /** Keys of this service beyond the shared ones. */
    static final List<ConfigKey<?>> OWN_KEYS;

    static {
        List<ConfigKey<?>> own = new ArrayList<>();
        own.add(CommonKeys.BLOB_STORE_DIR);
        own.addAll(InferenceKeys.ALL);
        own.addAll(WORKER.all());
        own.add(WINDOW_LEVEL);
        own.add(WINDOW_WIDTH);
        OWN_KEYS = List.copyOf(own);
    }

    public static final ConfigDefinition DEFINITION = ConfigDefinition.of("detector-worker", CommonKeys.kafkaService(DEFAULT_HTTP_PORT), OWN_KEYS);
}

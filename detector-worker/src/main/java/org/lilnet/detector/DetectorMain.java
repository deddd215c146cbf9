package org.lilnet.detector;

import org.lilnet.common.ops.ServiceRunner;

/** {@code detector-worker [--config FILE] [--describe-config]}. */
public final class DetectorMain {

    private DetectorMain() {
    }

    public static void main(String[] args) {
        ServiceRunner.run(args, DetectorConfig.DEFINITION, DetectorService::new);
    }
}

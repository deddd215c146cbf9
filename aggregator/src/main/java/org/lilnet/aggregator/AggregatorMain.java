package org.lilnet.aggregator;

import org.lilnet.common.ops.ServiceRunner;

/**
 * The aggregator: fuses the arterial and portal venous phases of each case into a diagnosis (Kafka Streams).
 *
 * <pre>usage: aggregator [--config FILE] [--describe-config]</pre>
 */
public final class AggregatorMain {

    private AggregatorMain() {
    }

    public static void main(String[] args) {
        ServiceRunner.run(args, AggregatorConfig.DEFINITION, AggregatorService::new);
    }
}

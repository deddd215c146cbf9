package org.lilnet.common.ops;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.lilnet.common.config.Config;

/**
 * What {@link ServiceRunner} gives a service: its validated configuration, metrics and health registries,
 * its instance id and the operations HTTP server (to add endpoints to).
 */
public record ServiceContext(Config config, PrometheusMeterRegistry metrics, Health health, String instanceId, OpsServer ops) {
}

package org.lilnet.ingest.intake;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;

/**
 * The ingest counters on /metrics: {@code lilnet_ingest_instances_received_total{protocol}},
 * {@code lilnet_ingest_instances_refused_total{protocol,reason,stored}} (everything not processed, by reason, and
 * whether it was kept as an instance), {@code lilnet_ingest_stored_bytes_total}, and the time from the last byte of an
 * instance to its answer ({@code lilnet_ingest_instance_seconds}).
 */
public final class IntakeMetrics {

    private final MeterRegistry registry;
    private final Counter bytesStored;
    private final Timer instanceTime;

    public IntakeMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.bytesStored = Counter.builder("lilnet.ingest.stored").description("Bytes of DICOM instances written to the blob store")
                .baseUnit("bytes").register(registry);
        this.instanceTime = Timer.builder("lilnet.ingest.instance").description("From the last byte of an instance to its answer")
                .publishPercentiles(0.5, 0.99).register(registry);
    }

    void received(String protocol) {
        Counter.builder("lilnet.ingest.instances.received").description("DICOM instances received").tag("protocol", protocol)
                .register(registry).increment();
    }

    void refused(String protocol, String reason, boolean stored) {
        Counter.builder("lilnet.ingest.instances.refused").description("Instances not processed, by reason (stored: kept as an instance)")
                .tag("protocol", protocol).tag("reason", reason).tag("stored", Boolean.toString(stored)).register(registry).increment();
    }

    void stored(long bytes) {
        bytesStored.increment(bytes);
    }

    void took(Duration d) {
        instanceTime.record(d);
    }
}

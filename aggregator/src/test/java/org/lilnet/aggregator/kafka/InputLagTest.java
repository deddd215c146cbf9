package org.lilnet.aggregator.kafka;

import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.metrics.Gauge;
import org.apache.kafka.common.metrics.Metrics;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The backlog read from metrics as a Kafka consumer registers them (Kafka's own metrics registry, no broker). */
class InputLagTest {

    private static final Set<String> INPUTS = Set.of("lilnet.studies.v1", "lilnet.predictions.v1");

    private final Metrics metrics = new Metrics();

    @AfterEach
    void close() {
        metrics.close();
    }

    private void lag(String client, String group, String name, String topic, int partition, double value) {
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put("client-id", client);
        tags.put("topic", topic);
        tags.put("partition", String.valueOf(partition));
        metrics.addMetric(new MetricName(name, group, "", tags), (Gauge<Double>) (config, now) -> value);
    }

    private void lag(String topic, int partition, double value) {
        lag("agg-StreamThread-1-consumer", InputLag.GROUP, InputLag.NAME, topic, partition, value);
    }

    @Test
    void sumsTheLagOfEveryInputPartition() {
        lag("lilnet.predictions.v1", 0, 5);
        lag("lilnet.predictions.v1", 1, 7);
        lag("lilnet.studies.v1", 0, 2);
        lag("agg-StreamThread-2-consumer", InputLag.GROUP, InputLag.NAME, "lilnet.predictions.v1", 2, 10);

        assertThat(InputLag.records(metrics.metrics(), INPUTS)).isEqualTo(24.0);
    }

    @Test
    void countsNeitherTheDeprecatedUnderscoreCopyNorChangelogsNorOtherFigures() {
        lag("lilnet.predictions.v1", 0, 5);
        lag("lilnet_predictions_v1", 0, 5);                                   // Kafka 4's deprecated copy of the same partition
        lag("agg-StreamThread-1-restore-consumer", InputLag.GROUP, InputLag.NAME, "lilnet-aggregator-cases-changelog", 0, 900);
        lag("agg-StreamThread-1-consumer", InputLag.GROUP, "records-lag-max", "lilnet.predictions.v1", 0, 40);
        lag("agg-StreamThread-1-consumer", InputLag.GROUP, "records-lead", "lilnet.predictions.v1", 0, 1000);
        lag("agg-StreamThread-1-consumer", "consumer-metrics", InputLag.NAME, "lilnet.predictions.v1", 0, 3);

        assertThat(InputLag.records(metrics.metrics(), INPUTS)).isEqualTo(5.0);
    }

    @Test
    void isNotKnownBeforeAnyInputPartitionReportsALag() {
        assertThat(InputLag.records(metrics.metrics(), INPUTS)).isNaN();

        lag("lilnet.predictions.v1", 0, Double.NaN);                          // assigned, not fetched yet
        assertThat(InputLag.records(metrics.metrics(), INPUTS)).isNaN();

        lag("lilnet.studies.v1", 0, 0);
        assertThat(InputLag.records(metrics.metrics(), INPUTS)).isZero();
    }
}

package org.lilnet.aggregator.kafka;

import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;

import java.util.Map;
import java.util.Set;

/**
 * The aggregator's backlog: records on its input topics its stream threads have not consumed yet, read from the
 * consumer metrics Kafka Streams keeps anyway (no extra requests to the broker).
 *
 * <p>Each consumer keeps {@code records-lag} per assigned partition (group {@code consumer-fetch-manager-metrics},
 * tags {@code topic} and {@code partition}), updated at every fetch. Since Kafka 4 a topic whose name has dots also has
 * a deprecated copy tagged with the dots replaced by underscores; only the exact topic name is counted, so nothing is
 * counted twice. The restore consumers read changelog topics, which are not inputs, so they never count.
 */
public final class InputLag {

    static final String GROUP = "consumer-fetch-manager-metrics";
    static final String NAME = "records-lag";

    private InputLag() {
    }

    /**
     * The summed lag of the input partitions this instance consumes, or NaN when no consumer reports one yet (before
     * the first assignment and fetch): "not known" rather than a reassuring 0.
     */
    public static double records(Map<MetricName, ? extends Metric> metrics, Set<String> inputTopics) {
        double sum = 0;
        int partitions = 0;
        for (Map.Entry<MetricName, ? extends Metric> e : metrics.entrySet()) {
            MetricName name = e.getKey();
            if (!NAME.equals(name.name()) || !GROUP.equals(name.group())
                    || !inputTopics.contains(name.tags().get("topic")) || !name.tags().containsKey("partition")) {
                continue;
            }
            if (e.getValue().metricValue() instanceof Number n && !Double.isNaN(n.doubleValue())) {
                sum += n.doubleValue();
                partitions++;
            }
        }
        return partitions == 0 ? Double.NaN : sum;
    }
}

package org.lilnet.aggregator;

import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.lilnet.aggregator.cases.CaseSettings;
import org.lilnet.common.config.Config;
import org.lilnet.common.config.ConfigException;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AggregatorConfigTest {

    private static final Map<String, String> REQUIRED = Map.of("kafka.bootstrap.servers", "broker:9092", "registry.url", "http://registry:8080");

    @Test
    void defaultsAndTheCaseRules() {
        Config config = AggregatorConfig.DEFINITION.load(REQUIRED, Map.of("LILNET_AGGREGATOR_SINGLE_PHASE_GRACE", "90s"));
        CaseSettings settings = AggregatorConfig.caseSettings(config);
        assertThat(settings.singlePhaseGrace()).isEqualTo(Duration.ofSeconds(90));
        assertThat(settings.caseTimeout()).isEqualTo(Duration.ofMinutes(30));
        assertThat(settings.retention()).isEqualTo(Duration.ofDays(7));
        assertThat(settings.lesionRule().minOverlap()).isEqualTo(0.5);
        assertThat(settings.lesionRule().maxSliceGap()).isEqualTo(1);
        assertThat(config.get(AggregatorConfig.STATE_DIR)).isEqualTo(Path.of("data/aggregator"));
    }

    @Test
    void badValuesAreNamed() {
        Map<String, String> values = new java.util.HashMap<>(REQUIRED);
        values.put("aggregator.lesion.min-overlap", "1.5");
        values.put("aggregator.case.timeout", "0s");
        assertThatThrownBy(() -> AggregatorConfig.DEFINITION.load(values, Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("aggregator.lesion.min-overlap").hasMessageContaining("aggregator.case.timeout");
    }

    @Test
    void streamsAlwaysRunExactlyOnceAndTakeTheOperatorsKafkaSettings() {
        Map<String, String> values = new java.util.HashMap<>(REQUIRED);
        values.put("kafka.processing.guarantee", "at_least_once");
        values.put("kafka.security.protocol", "SSL");
        values.put("aggregator.commit.interval", "250ms");
        Properties props = AggregatorService.streamsProperties(AggregatorConfig.DEFINITION.load(values, Map.of()), "agg-1");
        assertThat(props.get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG)).isEqualTo(StreamsConfig.EXACTLY_ONCE_V2);
        assertThat(props.get("security.protocol")).isEqualTo("SSL");
        assertThat(props.get(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG)).isEqualTo("broker:9092");
        assertThat(props.get(StreamsConfig.APPLICATION_ID_CONFIG)).isEqualTo("lilnet-aggregator");
        assertThat(props.get(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG)).isEqualTo(250L);
        assertThat(props.get(StreamsConfig.CLIENT_ID_CONFIG)).isEqualTo("agg-1");
    }
}

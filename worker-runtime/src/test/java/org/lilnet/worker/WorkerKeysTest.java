package org.lilnet.worker;

import org.apache.kafka.clients.producer.ProducerConfig;
import org.lilnet.common.config.CommonKeys;
import org.lilnet.common.config.Config;
import org.lilnet.common.config.ConfigDefinition;
import org.lilnet.common.config.ConfigException;
import org.lilnet.common.kafka.KafkaSettings;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WorkerKeysTest {

    private static final WorkerKeys KEYS = WorkerKeys.withDefaults("pixels-worker", 8, Duration.ofMillis(50), 0, "none");
    private static final ConfigDefinition DEFINITION = ConfigDefinition.of("pixels-worker", CommonKeys.kafkaService(8080), KEYS.all());

    private static Config configOf(Map<String, String> values) {
        Map<String, String> all = new HashMap<>(Map.of("kafka.bootstrap.servers", "localhost:9092", "registry.url", "http://localhost:8080"));
        all.putAll(values);
        return DEFINITION.load(all, Map.of());
    }

    private static Map<String, Object> producerOf(Map<String, String> values) {
        Config config = configOf(values);
        WorkerSettings settings = KEYS.settings(config, "w-1");
        return KafkaSettings.transactionalProducer(config, settings.transactionalId(), settings.transactionalId(), settings.outputCompression());
    }

    @Test
    void theWorkersCompressionDefaultGoesToItsProducerAndTheOperatorCanChangeIt() {
        assertThat(producerOf(Map.of())).containsEntry(ProducerConfig.COMPRESSION_TYPE_CONFIG, "none")
                .containsEntry(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "pixels-worker-w-1");
        assertThat(producerOf(Map.of("worker.output.compression", "zstd"))).containsEntry(ProducerConfig.COMPRESSION_TYPE_CONFIG, "zstd");
        assertThat(producerOf(Map.of("worker.output.compression", "zstd", "kafka.compression.type", "gzip")))
                .as("Kafka's own key, passed through, wins").containsEntry(ProducerConfig.COMPRESSION_TYPE_CONFIG, "gzip");
    }

    @Test
    void anUnknownCompressionIsRefusedAtStartUp() {
        assertThatThrownBy(() -> producerOf(Map.of("worker.output.compression", "lz5")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("worker.output.compression")
                .hasMessageContaining("one of none, gzip, snappy, lz4, zstd");
    }

    @Test
    void inferenceStreamsAreAutomaticByDefaultAndAsManyAsTheOperatorSaysUpTo64() {
        WorkerSettings automatic = KEYS.settings(configOf(Map.of()), "w-1");
        assertThat(automatic.inferenceStreams()).isZero();
        assertThat(automatic.withInferenceStreams(4).inferenceStreams()).isEqualTo(4);
        assertThat(automatic.withInferenceStreams(4).transactionalId()).isEqualTo(automatic.transactionalId());
        assertThat(KEYS.settings(configOf(Map.of("worker.inference.streams", "2")), "w-1").inferenceStreams()).isEqualTo(2);
        assertThatThrownBy(() -> configOf(Map.of("worker.inference.streams", "65")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("worker.inference.streams").hasMessageContaining("between 0 and 64");
    }
}

package org.lilnet.common.kafka;

import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.lilnet.common.config.Config;

import java.util.HashMap;
import java.util.Map;

/**
 * Kafka client settings: our defaults for each kind of client, then everything the operator set under
 * {@code kafka.*} (which wins, so TLS, SASL and tuning can be changed without code).
 */
public final class KafkaSettings {

    /** Records compressed unless a service says otherwise: most of ours are small structured events. */
    public static final String DEFAULT_COMPRESSION = "lz4";

    private KafkaSettings() {
    }

    public static Map<String, Object> admin(Config config, String clientId) {
        Map<String, Object> settings = new HashMap<>();
        settings.put(CommonClientConfigs.CLIENT_ID_CONFIG, clientId);
        return withOperatorSettings(settings, config);
    }

    /** A producer that writes each record once even when it retries. */
    public static Map<String, Object> producer(Config config, String clientId) {
        return producer(config, clientId, DEFAULT_COMPRESSION);
    }

    /** The same with the service's own compression default (an operator's {@code kafka.compression.type} wins, as every {@code kafka.*} does). */
    public static Map<String, Object> producer(Config config, String clientId, String compression) {
        Map<String, Object> settings = new HashMap<>();
        settings.put(CommonClientConfigs.CLIENT_ID_CONFIG, clientId);
        settings.put(ProducerConfig.ACKS_CONFIG, "all");
        settings.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        settings.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        settings.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, compression);
        settings.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 2 * 1024 * 1024);
        return withOperatorSettings(settings, config);
    }

    /** A producer for consume-transform-produce: one transactional id per instance (and per task if needed). */
    public static Map<String, Object> transactionalProducer(Config config, String clientId, String transactionalId) {
        return transactionalProducer(config, clientId, transactionalId, DEFAULT_COMPRESSION);
    }

    /** The same with the service's own compression default (an operator's {@code kafka.compression.type} still wins). */
    public static Map<String, Object> transactionalProducer(Config config, String clientId, String transactionalId, String compression) {
        Map<String, Object> settings = producer(config, clientId, compression);
        settings.putIfAbsent(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        return settings;
    }

    /** A consumer that sees only committed records and commits its offsets itself (or through transactions). */
    public static Map<String, Object> consumer(Config config, String clientId, String groupId) {
        Map<String, Object> settings = new HashMap<>();
        settings.put(CommonClientConfigs.CLIENT_ID_CONFIG, clientId);
        settings.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        settings.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        settings.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        settings.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        return withOperatorSettings(settings, config);
    }

    /** Base settings of a Kafka Streams application (the caller adds application id, guarantees, state dir). */
    public static Map<String, Object> streams(Config config) {
        return withOperatorSettings(new HashMap<>(), config);
    }

    private static Map<String, Object> withOperatorSettings(Map<String, Object> settings, Config config) {
        settings.putAll(config.kafkaClientSettings());
        return settings;
    }
}

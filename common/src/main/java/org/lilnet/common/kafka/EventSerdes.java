package org.lilnet.common.kafka;

import io.apicurio.registry.serde.Default4ByteIdHandler;
import io.apicurio.registry.serde.avro.AvroSerde;
import io.apicurio.registry.serde.avro.AvroSerdeConfig;
import io.apicurio.registry.serde.config.IdOption;
import io.apicurio.registry.serde.config.SerdeConfig;
import io.apicurio.registry.serde.kafka.config.KafkaSerdeConfig;
import io.apicurio.registry.serde.strategy.TopicIdStrategy;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.lilnet.common.topics.Topic;

import java.util.HashMap;
import java.util.Map;

/**
 * Serdes of our events, configured so that the bytes are exactly Confluent's wire format: magic byte 0, a 4-byte
 * schema id (the registry's content id, which is what {@code /apis/ccompat/v7/schemas/ids/{id}} serves), then Avro
 * binary; no Kafka headers; subject {@code <topic>-value}. Confluent's own clients read and write our topics.
 * Schemas are registered by {@link SchemaRegistration}, not by the serializer.
 */
public final class EventSerdes {

    private EventSerdes() {
    }

    /**
     * Settings of the Apicurio serdes for a topic: the serializer writes with exactly the registered version of our
     * schema (never "latest", which could be a newer schema than the classes compiled into this process).
     */
    public static Map<String, Object> serdeSettings(RegistryAccess registry, SchemaRegistration.Registered schema) {
        Map<String, Object> settings = new HashMap<>(registry.clientSettings());
        settings.put(SerdeConfig.REGISTRY_URL, registry.v3Url());
        settings.put(SerdeConfig.AUTO_REGISTER_ARTIFACT, false);
        settings.put(SerdeConfig.FIND_LATEST_ARTIFACT, false);
        settings.put(SerdeConfig.EXPLICIT_ARTIFACT_GROUP_ID, "default");
        settings.put(SerdeConfig.EXPLICIT_ARTIFACT_ID, schema.subject());
        settings.put(SerdeConfig.EXPLICIT_ARTIFACT_VERSION, String.valueOf(schema.version()));
        settings.put(SerdeConfig.ARTIFACT_RESOLVER_STRATEGY, TopicIdStrategy.class.getName());
        settings.put(KafkaSerdeConfig.ENABLE_HEADERS, false);
        settings.put(SerdeConfig.ID_HANDLER, Default4ByteIdHandler.class.getName());
        settings.put(SerdeConfig.USE_ID, IdOption.contentId.name());
        settings.put(AvroSerdeConfig.USE_SPECIFIC_AVRO_READER, true);
        return settings;
    }

    /** Value serde of a topic; registers the topic's schema first (idempotent) so that its id is known. */
    public static <V extends SpecificRecord> Serde<V> valueSerde(Topic<V> topic, RegistryAccess registry) {
        AvroSerde<V> serde = new AvroSerde<>();
        serde.configure(serdeSettings(registry, SchemaRegistration.ensureRegistered(registry, topic)), false);
        return serde;
    }

    /** Keys are plain UTF-8 strings on every topic. */
    public static Serde<String> keySerde() {
        return Serdes.String();
    }
}

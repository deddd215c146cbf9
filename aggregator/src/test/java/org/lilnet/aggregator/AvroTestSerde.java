package org.lilnet.aggregator;

import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;
import org.lilnet.aggregator.kafka.TopicSerdes;

import java.io.ByteArrayOutputStream;
import java.io.IOException;

/**
 * Plain Avro binary of our generated classes, without a registry: for TopologyTestDriver tests only (production
 * uses {@code EventSerdes}, Confluent wire format through the registry).
 */
public final class AvroTestSerde<T extends SpecificRecord> implements Serde<T> {

    /** Every topic's value serde, registry-free. */
    public static final TopicSerdes TOPICS = new TopicSerdes() {
        @Override
        public <V extends SpecificRecord> Serde<V> valueSerde(org.lilnet.common.topics.Topic<V> topic) {
            return new AvroTestSerde<>(topic.valueType());
        }
    };

    private final Class<T> type;

    public AvroTestSerde(Class<T> type) {
        this.type = type;
    }

    @Override
    public Serializer<T> serializer() {
        SpecificDatumWriter<T> writer = new SpecificDatumWriter<>(type);
        return (topic, value) -> {
            if (value == null) {
                return null;
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
            try {
                writer.write(value, encoder);
                encoder.flush();
            } catch (IOException e) {
                throw new SerializationException(e);
            }
            return out.toByteArray();
        };
    }

    @Override
    public Deserializer<T> deserializer() {
        SpecificDatumReader<T> reader = new SpecificDatumReader<>(type);
        return (topic, bytes) -> {
            if (bytes == null) {
                return null;
            }
            try {
                return reader.read(null, DecoderFactory.get().binaryDecoder(bytes, null));
            } catch (IOException | RuntimeException e) {
                throw new SerializationException("not a " + type.getSimpleName() + ": " + e, e);
            }
        };
    }
}

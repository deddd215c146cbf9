package org.lilnet.ingest.kafka;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.lilnet.common.topics.Topics;
import org.lilnet.events.DeadLetter;
import org.lilnet.ingest.intake.DeadLetterSink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Dead letters to {@code lilnet.dead-letters.v1} with an idempotent producer, sent in the background so that a sender
 * is never kept waiting for them; a letter that cannot be written is logged with its content.
 */
public final class KafkaDeadLetters implements DeadLetterSink, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaDeadLetters.class);

    private final KafkaProducer<String, byte[]> producer;
    private final Serializer<DeadLetter> serializer;
    private final AtomicLong failures = new AtomicLong();

    public KafkaDeadLetters(Map<String, Object> producerSettings, Serializer<DeadLetter> serializer) {
        this.producer = new KafkaProducer<>(producerSettings, new StringSerializer(), new ByteArraySerializer());
        this.serializer = serializer;
    }

    @Override
    public void send(String key, DeadLetter letter) {
        byte[] value = serializer.serialize(Topics.DEAD_LETTERS.name(), letter);
        producer.send(new ProducerRecord<>(Topics.DEAD_LETTERS.name(), key, value), (metadata, error) -> {
            if (error != null) {
                failures.incrementAndGet();
                LOG.error("dead letter not written ({}): {} {} {}", error.toString(), letter.getReasonCode(), key, letter.getDetail());
            }
        });
    }

    /** Letters that could not be written since start. */
    public long failures() {
        return failures.get();
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(10));
    }
}

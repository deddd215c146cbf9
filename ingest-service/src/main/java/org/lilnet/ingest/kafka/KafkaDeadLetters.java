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
import java.util.concurrent.BlockingDeque;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Dead letters to {@code lilnet.dead-letters.v1} with an idempotent producer, from a queue drained by a background
 * thread: a sender is never kept waiting for them, not even while the broker is away (the producer would block
 * there). A letter that cannot be queued or written is logged with its content (the instance's own WARN line, its
 * case record and its kept bytes remain).
 */
public final class KafkaDeadLetters implements DeadLetterSink, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaDeadLetters.class);
    private static final int QUEUE = 10_000;

    private record Letter(String key, DeadLetter letter) {
    }

    private final KafkaProducer<String, byte[]> producer;
    private final Serializer<DeadLetter> serializer;
    private final BlockingDeque<Letter> queue = new LinkedBlockingDeque<>(QUEUE);
    private final AtomicLong failures = new AtomicLong();
    private final Thread sender;
    private volatile boolean running = true;

    public KafkaDeadLetters(Map<String, Object> producerSettings, Serializer<DeadLetter> serializer) {
        this.producer = new KafkaProducer<>(producerSettings, new StringSerializer(), new ByteArraySerializer());
        this.serializer = serializer;
        this.sender = new Thread(this::drain, "dead-letters");
        this.sender.setDaemon(true);
        this.sender.start();
    }

    @Override
    public void send(String key, DeadLetter letter) {
        if (!queue.offer(new Letter(key, letter))) {
            failures.incrementAndGet();
            LOG.error("dead letter queue full ({} waiting for the broker), not written: {} {} {}", QUEUE, letter.getReasonCode(), key,
                    letter.getDetail());
        }
    }

    private void drain() {
        while (running || !queue.isEmpty()) {
            Letter l;
            try {
                l = queue.poll(200, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (l == null) {
                continue;
            }
            try {
                byte[] value = serializer.serialize(Topics.DEAD_LETTERS.name(), l.letter());
                producer.send(new ProducerRecord<>(Topics.DEAD_LETTERS.name(), l.key(), value), (metadata, error) -> {
                    if (error != null) {
                        failures.incrementAndGet();
                        LOG.error("dead letter not written ({}): {} {} {}", error.toString(), l.letter().getReasonCode(), l.key(), l.letter().getDetail());
                    }
                });
            } catch (org.apache.kafka.common.errors.TimeoutException e) {
                // the broker is away (no metadata): keep the letter and try again shortly, unless we are stopping
                if (running && queue.offerFirst(l)) {
                    LOG.warn("dead letters wait for the broker ({} queued): {}", queue.size(), e.getMessage());
                    sleep(1000);
                } else {
                    failures.incrementAndGet();
                    LOG.error("dead letter not written ({}): {} {} {}", e.toString(), l.letter().getReasonCode(), l.key(), l.letter().getDetail());
                }
            } catch (RuntimeException e) {
                failures.incrementAndGet();
                LOG.error("dead letter not written ({}): {} {} {}", e.toString(), l.letter().getReasonCode(), l.key(), l.letter().getDetail());
            }
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Letters that could not be written since start. */
    public long failures() {
        return failures.get();
    }

    /** Letters waiting to be handed to the producer. */
    public int waiting() {
        return queue.size();
    }

    @Override
    public void close() {
        running = false;
        try {
            sender.join(15_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        producer.close(Duration.ofSeconds(10));
    }
}

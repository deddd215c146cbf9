package org.lilnet.ingest.kafka;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.lilnet.common.topics.Topics;
import org.lilnet.events.DetectTask;
import org.lilnet.events.StudyArrived;
import org.lilnet.ingest.cases.CasePlan;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.function.Supplier;

/**
 * Writes a case opening (StudyArrived and all its DetectTasks) in one Kafka transaction: consumers reading committed
 * records see all of it or none. A fenced or failed producer is replaced on the next opening.
 */
public final class CaseEmitter implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CaseEmitter.class);

    private final Supplier<Map<String, Object>> settings;
    private final Serializer<StudyArrived> studies;
    private final Serializer<DetectTask> tasks;
    private KafkaProducer<String, byte[]> producer;

    public CaseEmitter(Supplier<Map<String, Object>> transactionalSettings, Serializer<StudyArrived> studies, Serializer<DetectTask> tasks) {
        this.settings = transactionalSettings;
        this.studies = studies;
        this.tasks = tasks;
    }

    private KafkaProducer<String, byte[]> producer() {
        if (producer == null) {
            KafkaProducer<String, byte[]> p = new KafkaProducer<>(settings.get(), new StringSerializer(), new ByteArraySerializer());
            try {
                p.initTransactions();
            } catch (RuntimeException e) {
                p.close(java.time.Duration.ofSeconds(5));
                throw e;
            }
            producer = p;
        }
        return producer;
    }

    /** Starts the transactional producer (fences an earlier instance with the same transactional id). */
    public synchronized void start() {
        producer();
    }

    /** Writes the case; returns when the transaction is committed. */
    public synchronized void emit(CasePlan plan) {
        KafkaProducer<String, byte[]> p = producer();
        try {
            p.beginTransaction();
            List<Future<?>> sent = new ArrayList<>();
            StudyArrived study = plan.study();
            sent.add(p.send(new ProducerRecord<>(Topics.STUDIES.name(), study.getCaseId(), studies.serialize(Topics.STUDIES.name(), study))));
            for (CasePlan.KeyedTask t : plan.tasks()) {
                sent.add(p.send(new ProducerRecord<>(Topics.DETECT_TASKS.name(), t.key(), tasks.serialize(Topics.DETECT_TASKS.name(), t.task()))));
            }
            p.commitTransaction();
            for (Future<?> f : sent) {
                f.get(); // already complete after the commit; surfaces a send error if there was one
            }
        } catch (ProducerFencedException | OutOfOrderSequenceException | AuthorizationException e) {
            discard();
            throw e;
        } catch (KafkaException e) {
            try {
                p.abortTransaction();
            } catch (RuntimeException abortFailed) {
                LOG.warn("aborting the transaction failed too ({}): a new producer will be made", abortFailed.toString());
                discard();
            }
            throw e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            discard();
            throw new KafkaException("interrupted while writing a case", e);
        } catch (ExecutionException e) {
            discard();
            throw new KafkaException("a case record was not written: " + e.getCause(), e.getCause());
        }
    }

    private void discard() {
        if (producer != null) {
            try {
                producer.close(java.time.Duration.ofSeconds(5));
            } catch (RuntimeException ignored) {
                // it is being replaced anyway
            }
            producer = null;
        }
    }

    @Override
    public synchronized void close() {
        discard();
    }
}

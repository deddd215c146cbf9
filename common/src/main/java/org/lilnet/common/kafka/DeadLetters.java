package org.lilnet.common.kafka;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.lilnet.events.DeadLetter;

import java.time.Instant;

/** Builds dead letters the same way in every stage. */
public final class DeadLetters {

    private DeadLetters() {
    }

    /** A dead letter without a source record (e.g. a DICOM file refused at ingest). */
    public static DeadLetter.Builder letter(String stage, String reasonCode, String detail, String instanceId) {
        if (!reasonCode.matches("[A-Z][A-Z0-9_]*")) {
            throw new IllegalArgumentException("reason codes are UPPER_SNAKE_CASE: " + reasonCode);
        }
        return DeadLetter.newBuilder()
                .setStage(stage)
                .setReasonCode(reasonCode)
                .setDetail(detail == null ? "" : detail)
                .setService(instanceId)
                .setOccurredAt(Instant.now());
    }

    /** A dead letter for a consumed record: says where the original is (topic, partition, offset, key). */
    public static DeadLetter.Builder forRecord(ConsumerRecord<String, ?> record, String stage, String reasonCode, String detail,
                                              String instanceId) {
        return letter(stage, reasonCode, detail, instanceId)
                .setOriginalKey(record.key())
                .setSourceTopic(record.topic())
                .setSourcePartition(record.partition())
                .setSourceOffset(record.offset());
    }
}

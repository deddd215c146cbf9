package org.lilnet.aggregator.kafka;

import org.lilnet.aggregator.cases.SourceRef;
import org.lilnet.events.ChunkPredictions;
import org.lilnet.events.StudyArrived;

/** A record of one of the aggregator's input topics, decoded (or not). */
sealed interface CaseInput {

    record Study(StudyArrived study, SourceRef source) implements CaseInput {
    }

    record Chunk(ChunkPredictions predictions, SourceRef source, long timestamp) implements CaseInput {
    }

    /** Bytes that are not an event of the topic: dead-lettered with the reason. */
    record Unreadable(SourceRef source, String detail) implements CaseInput {
    }
}

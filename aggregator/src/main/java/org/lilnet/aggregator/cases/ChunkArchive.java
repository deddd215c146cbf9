package org.lilnet.aggregator.cases;

import java.util.List;

/**
 * Where the aggregator keeps the chunks of open revisions with their crops (a persistent store in production):
 * the crops are needed again to find lesions when the revision is diagnosed.
 */
public interface ChunkArchive {

    /** Stores the chunk under (case, revision, series, chunk index) unless one is there; false when one was. */
    boolean putIfAbsent(ArrivedChunk chunk);

    /** Stores or replaces the chunk. */
    void put(ArrivedChunk chunk);

    /** The chunks kept for a revision of a case. */
    List<ArrivedChunk> revision(String caseId, int revision);

    void delete(ArrivedChunk chunk);

    void deleteRevision(String caseId, int revision);
}

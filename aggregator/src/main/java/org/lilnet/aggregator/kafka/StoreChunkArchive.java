package org.lilnet.aggregator.kafka;

import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.lilnet.aggregator.cases.ArrivedChunk;
import org.lilnet.aggregator.cases.ChunkArchive;

import java.util.ArrayList;
import java.util.List;

/**
 * The chunk archive in a persistent key-value store, keyed {@code caseId/revision/seriesUid/chunkIndex} so that a
 * revision's chunks are one prefix scan. Values are checked too: a case id may itself contain '/'.
 */
final class StoreChunkArchive implements ChunkArchive {

    private static final StringSerializer KEYS = new StringSerializer();

    private final KeyValueStore<String, ArrivedChunk> store;

    StoreChunkArchive(KeyValueStore<String, ArrivedChunk> store) {
        this.store = store;
    }

    static String key(ArrivedChunk chunk) {
        return prefix(chunk.caseId(), chunk.revision()) + chunk.seriesInstanceUid() + "/" + chunk.chunkIndex();
    }

    private static String prefix(String caseId, int revision) {
        return caseId + "/" + revision + "/";
    }

    @Override
    public boolean putIfAbsent(ArrivedChunk chunk) {
        return store.putIfAbsent(key(chunk), chunk) == null;
    }

    @Override
    public void put(ArrivedChunk chunk) {
        store.put(key(chunk), chunk);
    }

    @Override
    public List<ArrivedChunk> revision(String caseId, int revision) {
        List<ArrivedChunk> chunks = new ArrayList<>();
        try (KeyValueIterator<String, ArrivedChunk> it = store.prefixScan(prefix(caseId, revision), KEYS)) {
            while (it.hasNext()) {
                ArrivedChunk chunk = it.next().value;
                if (chunk.caseId().equals(caseId) && chunk.revision() == revision) {
                    chunks.add(chunk);
                }
            }
        }
        return chunks;
    }

    @Override
    public void delete(ArrivedChunk chunk) {
        store.delete(key(chunk));
    }

    @Override
    public void deleteRevision(String caseId, int revision) {
        for (ArrivedChunk chunk : revision(caseId, revision)) {
            store.delete(key(chunk));
        }
    }
}

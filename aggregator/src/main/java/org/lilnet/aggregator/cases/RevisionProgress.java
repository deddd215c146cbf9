package org.lilnet.aggregator.cases;

import org.lilnet.aggregator.cases.ArrivedChunk.ModelInfo;
import org.lilnet.aggregator.cases.ArrivedChunk.WindowInfo;
import org.lilnet.aggregator.fusion.LogitPool;
import org.lilnet.aggregator.lesion.Crop;
import org.lilnet.events.Phase;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What arrived for one revision of a case: which chunks (by series and chunk index), the running sum of the
 * logits and the crop count per series, the models and window the chunks name, and the stage timings.
 */
public final class RevisionProgress {

    private int revision;
    private final Map<String, ChunkOutcome> chunks = new TreeMap<>();
    private final Map<String, LogitPool> logitsBySeries = new TreeMap<>();
    private List<ModelInfo> models = List.of();
    private WindowInfo window;
    private final List<String> notes = new ArrayList<>();
    private final Map<String, Long> timingSums = new TreeMap<>();
    private final Map<String, Long> timingMax = new TreeMap<>();
    private long firstChunkAt;
    private long lastChunkAt;
    private long lastPredictionAt;
    private long completeAt;
    private boolean timeoutReported;
    private boolean diagnosed;

    RevisionProgress() {
    }

    RevisionProgress(int revision) {
        this.revision = revision;
    }

    public int revision() {
        return revision;
    }

    boolean has(String chunkKey) {
        return chunks.containsKey(chunkKey);
    }

    /** Records an expected chunk that arrived for the first time. */
    void record(ArrivedChunk chunk, Phase phase, long now, int expectedChunks) {
        int crops = 0;
        if (!chunk.countsAsFailed()) {
            LogitPool pool = logitsBySeries.computeIfAbsent(chunk.seriesInstanceUid(), k -> new LogitPool());
            for (Crop c : chunk.crops()) {
                pool.add(c.bmLogits(), c.mLogits(), c.bLogits());
            }
            crops = chunk.crops().size();
        }
        chunks.put(chunk.chunkKey(), new ChunkOutcome(chunk.seriesInstanceUid(), phase, chunk.chunkIndex(), chunk.countsAsFailed(),
                chunk.failure(), crops, now));
        if (!chunk.models().isEmpty()) {
            if (models.isEmpty()) {
                models = chunk.models();
            } else if (!models.equals(chunk.models())) {
                note("chunk " + chunk.taskId() + " was processed by other models than the first chunk: " + chunk.models());
            }
        }
        if (chunk.window() != null) {
            if (window == null) {
                window = chunk.window();
            } else if (!window.equals(chunk.window())) {
                note("chunk " + chunk.taskId() + " was rendered with window level " + chunk.window().level() + " width "
                        + chunk.window().width() + ", the first chunk with level " + window.level() + " width " + window.width());
            }
        }
        chunk.timingsMillis().forEach((key, millis) -> {
            timingSums.merge(key, millis, Long::sum);
            timingMax.merge(key, millis, Math::max);
        });
        firstChunkAt = firstChunkAt == 0 ? now : Math.min(firstChunkAt, now);
        lastChunkAt = Math.max(lastChunkAt, now);
        lastPredictionAt = Math.max(lastPredictionAt, chunk.predictedAt());
        if (chunks.size() >= expectedChunks && completeAt == 0) {
            completeAt = now;
        }
    }

    private void note(String text) {
        if (notes.size() < StudyExpectation.MAX_NOTES && !notes.contains(text)) {
            notes.add(text);
        }
    }

    /** Every expected chunk is in (chunks are only recorded after they were checked against the study). */
    public boolean allIn(StudyExpectation study) {
        return chunks.size() >= study.expectedChunks();
    }

    public List<ChunkOutcome> failures() {
        return chunks.values().stream().filter(ChunkOutcome::failed).toList();
    }

    /** Expected chunks not yet in, as (series, index) keys. */
    public List<ChunkOutcome> missing(StudyExpectation study) {
        List<ChunkOutcome> missing = new ArrayList<>();
        for (SeriesExpectation s : study.series()) {
            for (int i = 0; i < s.chunkCount(); i++) {
                if (!chunks.containsKey(ArrivedChunk.chunkKey(s.seriesInstanceUid(), i))) {
                    missing.add(new ChunkOutcome(s.seriesInstanceUid(), s.phase(), i, false, null, 0, 0));
                }
            }
        }
        return missing;
    }

    /** The running sums of all series pooled: every crop of every phase with equal weight. */
    public LogitPool pooled() {
        LogitPool all = new LogitPool();
        for (LogitPool series : logitsBySeries.values()) {
            all = all.plus(series);
        }
        return all;
    }

    public long cropCount() {
        return pooled().crops();
    }

    int chunksReceived(String seriesInstanceUid) {
        return (int) chunks.values().stream().filter(c -> c.seriesInstanceUid().equals(seriesInstanceUid)).count();
    }

    int chunksFailed(String seriesInstanceUid) {
        return (int) chunks.values().stream().filter(c -> c.failed() && c.seriesInstanceUid().equals(seriesInstanceUid)).count();
    }

    int cropCount(String seriesInstanceUid) {
        LogitPool pool = logitsBySeries.get(seriesInstanceUid);
        return pool == null ? 0 : (int) pool.crops();
    }

    public boolean anyChunk() {
        return !chunks.isEmpty();
    }

    public List<ModelInfo> models() {
        return models;
    }

    public WindowInfo window() {
        return window;
    }

    public List<String> notes() {
        return List.copyOf(notes);
    }

    public Map<String, Long> timingSums() {
        return Map.copyOf(timingSums);
    }

    public Map<String, Long> timingMax() {
        return Map.copyOf(timingMax);
    }

    public long firstChunkAt() {
        return firstChunkAt;
    }

    public long lastChunkAt() {
        return lastChunkAt;
    }

    public long lastPredictionAt() {
        return lastPredictionAt;
    }

    /** Wall-clock time the last expected chunk arrived; 0 while chunks are missing. */
    public long completeAt() {
        return completeAt;
    }

    public boolean timeoutReported() {
        return timeoutReported;
    }

    void timeoutReported(boolean reported) {
        timeoutReported = reported;
    }

    /** A diagnosis with every chunk in was emitted for this revision: nothing more will come from it. */
    public boolean diagnosed() {
        return diagnosed;
    }

    void diagnosed(boolean done) {
        diagnosed = done;
    }
}

package org.lilnet.ingest.cases;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The state of one study's case: its instances (by SOPInstanceUID), the last revision emitted and whether instances
 * changed since. Every change bumps {@link #version}; a case is "dirty" when it has changes no revision covers.
 * Not thread-safe: {@link CaseRegistry} locks it.
 */
final class StudyCase {

    /** What recording an instance did. */
    enum Change {
        /** A new instance. */
        NEW,
        /** An instance known before, now with a better outcome (e.g. refused, then sent again complete). */
        UPGRADED,
        /** Nothing: the same instance again (or a worse copy of it). */
        NONE
    }

    final String studyUid;
    /** null while the instances are not in memory (see {@link CaseRegistry}). */
    private Map<String, InstanceRecord> instances = new LinkedHashMap<>();
    int revision;
    long version;
    long emittedVersion;
    long firstInstanceAt;
    long lastInstanceAt;
    /** Start of the current quiet period: the last instance, or a restart of the service. */
    long quietSince;
    long openedAt;
    Integer expectedInstances;

    StudyCase(String studyUid) {
        this.studyUid = studyUid;
    }

    boolean loaded() {
        return instances != null;
    }

    void unload() {
        instances = null;
    }

    void markLoaded() {
        if (instances == null) {
            instances = new LinkedHashMap<>();
        }
    }

    boolean dirty() {
        return version != emittedVersion;
    }

    int instanceCount() {
        return instances == null ? 0 : instances.size();
    }

    /** What recording this instance would change (without changing anything). */
    Change changeOf(InstanceRecord record) {
        InstanceRecord known = instances.get(key(record));
        if (known == null) {
            return Change.NEW;
        }
        return record.outcome().compareTo(known.outcome()) > 0 ? Change.UPGRADED : Change.NONE;
    }

    /** Applies a change (the caller journaled it first). */
    void apply(InstanceRecord record) {
        instances.put(key(record), record);
        version++;
        if (firstInstanceAt == 0 || record.receivedAt() < firstInstanceAt) {
            firstInstanceAt = record.receivedAt();
        }
        lastInstanceAt = Math.max(lastInstanceAt, record.receivedAt());
        quietSince = Math.max(quietSince, record.receivedAt());
        if (record.expectedStudyInstances() != null && record.expectedStudyInstances() > 0) {
            expectedInstances = expectedInstances == null ? record.expectedStudyInstances()
                    : Math.max(expectedInstances, record.expectedStudyInstances());
        }
    }

    /** An instance arrived but changed nothing: the study is still being sent, the quiet period starts again. */
    void touch(long at) {
        lastInstanceAt = Math.max(lastInstanceAt, at);
        quietSince = Math.max(quietSince, at);
    }

    /**
     * Stable: changed since the last revision, and quiet for the quiet period, or (for the first revision) all the
     * instances the sender announced in NumberOfStudyRelatedInstances are here.
     */
    boolean stable(long now, long quietMillis) {
        if (!dirty()) {
            return false;
        }
        if (now - quietSince >= quietMillis) {
            return true;
        }
        return revision == 0 && expectedInstances != null && instances != null && instances.size() >= expectedInstances;
    }

    List<InstanceRecord> records() {
        return new ArrayList<>(instances.values());
    }

    boolean knows(String sopUid) {
        return instances != null && instances.containsKey(sopUid);
    }

    private static String key(InstanceRecord r) {
        return r.sopUid();
    }
}

package org.lilnet.ingest.cases;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every study's case: records instances as they arrive (journal first, then memory), says which cases are stable
 * and due to be opened, and notes when one was. Cases opened and idle for a while leave memory (their journal stays
 * and is read back if a late instance comes); after the retention period their journal shrinks to one line that
 * keeps the revision.
 */
public final class CaseRegistry {

    private static final Logger LOG = LoggerFactory.getLogger(CaseRegistry.class);

    private final CaseJournal journal;
    private final Clock clock;
    private final long quietMillis;
    private final long memoryMillis;
    private final Map<String, StudyCase> cases = new ConcurrentHashMap<>();

    /** What recording an instance did to its case. */
    public enum Recorded { NEW, UPGRADED, ALREADY_KNOWN }

    public CaseRegistry(CaseJournal journal, Clock clock, Duration quietPeriod, Duration keepInMemory) {
        this.journal = journal;
        this.clock = clock;
        this.quietMillis = quietPeriod.toMillis();
        this.memoryMillis = keepInMemory.toMillis();
    }

    /** Rebuilds the cases from the journal; cases with changes no revision covers are due again after a quiet period. */
    public int restore() throws IOException {
        int pending = 0;
        long now = clock.millis();
        for (String study : journal.studies()) {
            StudyCase c = new StudyCase(study);
            replay(c);
            c.quietSince = Math.max(c.quietSince, now);
            if (!c.dirty()) {
                c.unload();
            } else {
                pending++;
            }
            cases.put(study, c);
        }
        if (!cases.isEmpty()) {
            LOG.info("restored {} case(s) from {}: {} with instances not yet in a revision", cases.size(), journal.directory(), pending);
        }
        return pending;
    }

    private void replay(StudyCase c) throws IOException {
        c.unload();
        c.markLoaded();
        c.version = 0;
        for (CaseJournal.Entry e : journal.replay(c.studyUid)) {
            if (e instanceof CaseJournal.InstanceEntry i) {
                if (c.changeOf(i.record()) != StudyCase.Change.NONE) {
                    c.apply(i.record());
                }
            } else if (e instanceof CaseJournal.OpenedEntry o) {
                c.revision = Math.max(c.revision, o.revision());
                c.emittedVersion = o.version();
                c.openedAt = o.openedAt();
            } else if (e instanceof CaseJournal.ExpiredEntry x) {
                c.revision = Math.max(c.revision, x.revision());
                c.firstInstanceAt = x.firstInstanceAt();
                c.lastInstanceAt = x.lastInstanceAt();
            }
        }
        if (c.emittedVersion > c.version) {
            c.emittedVersion = c.version;
        }
    }

    /** Records an instance of a study; returns once it is in the journal. */
    public Recorded record(InstanceRecord record) throws IOException {
        StudyCase c = cases.computeIfAbsent(record.studyUid(), StudyCase::new);
        synchronized (c) {
            if (!c.loaded()) {
                replay(c);
            }
            StudyCase.Change change = c.changeOf(record);
            if (change == StudyCase.Change.NONE) {
                c.touch(record.receivedAt());
                return Recorded.ALREADY_KNOWN;
            }
            journal.appendInstance(record);
            c.apply(record);
            return change == StudyCase.Change.NEW ? Recorded.NEW : Recorded.UPGRADED;
        }
    }

    /** Whether the case of the study knows the instance (loads the case if needed). */
    public boolean knows(String studyUid, String sopUid) throws IOException {
        StudyCase c = cases.get(studyUid);
        if (c == null) {
            return false;
        }
        synchronized (c) {
            if (!c.loaded()) {
                replay(c);
            }
            return c.knows(sopUid);
        }
    }

    /** Snapshots of the cases that are stable now, oldest first. */
    public List<CaseSnapshot> due() {
        long now = clock.millis();
        List<CaseSnapshot> due = new ArrayList<>();
        for (StudyCase c : cases.values()) {
            synchronized (c) {
                if (c.loaded() && c.stable(now, quietMillis)) {
                    due.add(new CaseSnapshot(c.studyUid, c.revision + 1, c.version, c.records(), c.firstInstanceAt, c.lastInstanceAt));
                }
            }
        }
        due.sort(Comparator.comparingLong(CaseSnapshot::lastInstanceAt));
        return due;
    }

    /** The case was opened (its events are written): journal it; changes after the snapshot keep the case dirty. */
    public void opened(CaseSnapshot snapshot, long openedAt) throws IOException {
        StudyCase c = cases.get(snapshot.studyUid());
        synchronized (c) {
            journal.appendOpened(snapshot.studyUid(), snapshot.revision(), snapshot.version(), openedAt);
            c.revision = snapshot.revision();
            c.emittedVersion = snapshot.version();
            c.openedAt = openedAt;
        }
    }

    /** Cases waiting for their quiet period (or for the broker). */
    public int pendingCount() {
        int n = 0;
        for (StudyCase c : cases.values()) {
            synchronized (c) {
                n += c.dirty() ? 1 : 0;
            }
        }
        return n;
    }

    public int size() {
        return cases.size();
    }

    /** The last revision opened for a study (0 when none). */
    public int revision(String studyUid) {
        StudyCase c = cases.get(studyUid);
        if (c == null) {
            return 0;
        }
        synchronized (c) {
            return c.revision;
        }
    }

    /**
     * Housekeeping: cases opened and idle for longer than the memory time leave memory; cases idle for longer than
     * the retention keep only their revision.
     */
    public void housekeeping(Duration retention) {
        long now = clock.millis();
        for (StudyCase c : cases.values()) {
            synchronized (c) {
                if (c.dirty()) {
                    continue;
                }
                long idle = now - Math.max(c.lastInstanceAt, c.openedAt);
                if (idle > retention.toMillis() && c.version > 0) {
                    try {
                        journal.expire(c.studyUid, c.revision, c.firstInstanceAt, c.lastInstanceAt);
                        c.unload();
                        c.version = 0;
                        c.emittedVersion = 0;
                        LOG.info("case {} idle for {}: instances forgotten, revision {} kept", c.studyUid, Duration.ofMillis(idle), c.revision);
                    } catch (IOException e) {
                        LOG.warn("cannot shrink the journal of case {}: {}", c.studyUid, e.getMessage());
                    }
                } else if (idle > memoryMillis && c.loaded()) {
                    c.unload();
                }
            }
        }
    }
}

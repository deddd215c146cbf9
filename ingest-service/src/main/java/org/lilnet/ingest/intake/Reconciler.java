package org.lilnet.ingest.intake;

import org.lilnet.common.blob.FileBlobStore;
import org.lilnet.ingest.cases.CaseRegistry;
import org.lilnet.ingest.cases.InstanceRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.util.stream.Stream;

/**
 * At start-up, finds instances in the filesystem blob store ({@code dicom/<study>/<series>/<sop>.dcm}) written within a
 * window but missing from their case journal, and adds them to their cases. The blob write is forced to disk before
 * an instance is acknowledged and the journal line is not (unless {@code ingest.state.fsync}): after a machine crash
 * this is how no acknowledged instance is left out of its case. Also rebuilds the cases when the state directory
 * was lost.
 */
public final class Reconciler {

    private static final Logger LOG = LoggerFactory.getLogger(Reconciler.class);

    private final FileBlobStore blobs;
    private final CaseRegistry cases;
    private final Intake intake;
    private final Clock clock;

    public Reconciler(FileBlobStore blobs, CaseRegistry cases, Intake intake, Clock clock) {
        this.blobs = blobs;
        this.cases = cases;
        this.intake = intake;
        this.clock = clock;
    }

    /** Returns how many instances were added to their cases. */
    public int reconcile(Duration window) throws IOException {
        Path dicom = blobs.root().resolve("dicom");
        if (window.isZero() || !Files.isDirectory(dicom)) {
            return 0;
        }
        FileTime since = FileTime.fromMillis(clock.millis() - window.toMillis());
        int added = 0;
        int seen = 0;
        try (Stream<Path> studies = Files.list(dicom)) {
            for (Path study : (Iterable<Path>) studies::iterator) {
                if (!Files.isDirectory(study) || Files.getLastModifiedTime(study).compareTo(since) < 0 && !recentSeries(study, since)) {
                    continue;
                }
                try (Stream<Path> series = Files.list(study)) {
                    for (Path s : (Iterable<Path>) series::iterator) {
                        if (!Files.isDirectory(s) || Files.getLastModifiedTime(s).compareTo(since) < 0) {
                            continue;
                        }
                        try (Stream<Path> files = Files.list(s)) {
                            for (Path f : (Iterable<Path>) files::iterator) {
                                String name = f.getFileName().toString();
                                if (!name.endsWith(".dcm")) {
                                    continue;
                                }
                                seen++;
                                String studyUid = study.getFileName().toString();
                                String sop = name.substring(0, name.length() - 4);
                                if (cases.knows(studyUid, sop)) {
                                    continue;
                                }
                                String key = "dicom/" + studyUid + "/" + s.getFileName() + "/" + name;
                                try (Spool.SpooledInstance instance = Spool.SpooledInstance.view(f)) {
                                    InstanceRecord record = intake.recordOfStored(instance, key, Files.getLastModifiedTime(f).toMillis());
                                    if (record != null && studyUid.equals(record.studyUid())) {
                                        cases.record(record);
                                        added++;
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        if (added > 0) {
            LOG.warn("reconciliation: {} instance(s) in the blob store were missing from their case journal and were added", added);
        } else {
            LOG.info("reconciliation: {} recent instance(s) in the blob store, all in their case journals", seen);
        }
        return added;
    }

    private static boolean recentSeries(Path study, FileTime since) throws IOException {
        try (Stream<Path> series = Files.list(study)) {
            for (Path s : (Iterable<Path>) series::iterator) {
                if (Files.getLastModifiedTime(s).compareTo(since) >= 0) {
                    return true;
                }
            }
        }
        return false;
    }
}

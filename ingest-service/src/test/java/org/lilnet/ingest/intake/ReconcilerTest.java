package org.lilnet.ingest.intake;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lilnet.common.blob.FileBlobStore;
import org.lilnet.dicom.CtSliceWriter;
import org.lilnet.ingest.cases.CaseJournal;
import org.lilnet.ingest.cases.CaseRegistry;
import org.lilnet.ingest.cases.InstanceRecord;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class ReconcilerTest {

    @Test
    void instancesInTheBlobStoreButNotInTheJournalJoinTheirCase(@TempDir Path dir) throws Exception {
        FileBlobStore blobs = new FileBlobStore(dir.resolve("blobs"));
        Path state = dir.resolve("state");
        CaseRegistry before = new CaseRegistry(new CaseJournal(state, false), Clock.systemUTC(), Duration.ZERO, Duration.ofMinutes(10));
        Intake intake = new Intake(blobs, before, (k, l) -> { }, new IntakeMetrics(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT)),
                new Intake.Policy(true, true), Clock.systemUTC(), "test");
        CtSliceWriter first = new CtSliceWriter().size(64, 64).description("PV");
        CtSliceWriter second = new CtSliceWriter().study(first.studyUid()).series(first.seriesUid()).size(64, 64).z(2.5).description("PV");
        CtSliceWriter old = new CtSliceWriter().size(64, 64).description("PV");
        intake.accept(Spool.SpooledInstance.of(bytes(first)), Source.stow("test", null));
        // the machine crashed after the second instance's blob was forced to disk, before its journal line was: simulate
        blobs.put("dicom/" + second.studyUid() + "/" + second.seriesUid() + "/" + second.sopUid() + ".dcm", bytes(second));
        // an instance written long ago, outside the window, is left alone
        String oldKey = "dicom/" + old.studyUid() + "/" + old.seriesUid() + "/" + old.sopUid() + ".dcm";
        blobs.put(oldKey, bytes(old));
        FileTime longAgo = FileTime.from(Instant.now().minus(Duration.ofDays(3)));
        Files.setLastModifiedTime(blobs.pathOf(oldKey), longAgo);
        Files.setLastModifiedTime(blobs.pathOf(oldKey).getParent(), longAgo);
        Files.setLastModifiedTime(blobs.pathOf(oldKey).getParent().getParent(), longAgo);

        CaseRegistry after = new CaseRegistry(new CaseJournal(state, false), Clock.systemUTC(), Duration.ZERO, Duration.ofMinutes(10));
        after.restore();
        int added = new Reconciler(blobs, after, new Intake(blobs, after, (k, l) -> { },
                new IntakeMetrics(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT)), new Intake.Policy(true, true), Clock.systemUTC(), "test"),
                Clock.systemUTC()).reconcile(Duration.ofHours(24));

        assertThat(added).isEqualTo(1);
        assertThat(after.knows(first.studyUid(), second.sopUid())).isTrue();
        assertThat(after.knows(old.studyUid(), old.sopUid())).isFalse();
        Thread.sleep(1100); // the restart starts the quiet period again (zero here, but from now)
        assertThat(after.due()).singleElement().satisfies(s -> {
            assertThat(s.records()).hasSize(2);
            assertThat(s.records()).allSatisfy(r -> assertThat(r.outcome()).isEqualTo(InstanceRecord.Outcome.PROCESSABLE));
        });
    }

    static byte[] bytes(CtSliceWriter w) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        w.write(out);
        return out.toByteArray();
    }
}

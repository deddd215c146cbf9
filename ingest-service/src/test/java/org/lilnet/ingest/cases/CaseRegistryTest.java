package org.lilnet.ingest.cases;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class CaseRegistryTest {

    static final Duration QUIET = Duration.ofSeconds(30);

    /** A clock the test moves. */
    static final class TestClock extends Clock {
        long now = 1_000_000;

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(now);
        }

        void advance(Duration d) {
            now += d.toMillis();
        }
    }

    final TestClock clock = new TestClock();

    CaseRegistry registry(Path dir) throws Exception {
        return new CaseRegistry(new CaseJournal(dir, false), clock, QUIET, Duration.ofMinutes(10));
    }

    InstanceRecord slice(String sop, double z) {
        return Records.slice("1.2.3", "1.2.3.1", sop, "PV", z, 1, clock.millis());
    }

    @Test
    void aStudyIsDueAfterItsQuietPeriodAndReopensWithLateInstances(@TempDir Path dir) throws Exception {
        CaseRegistry cases = registry(dir);
        assertThat(cases.record(slice("1.2.3.1.1", 0))).isEqualTo(CaseRegistry.Recorded.NEW);
        clock.advance(Duration.ofSeconds(20));
        assertThat(cases.record(slice("1.2.3.1.2", 2))).isEqualTo(CaseRegistry.Recorded.NEW);

        clock.advance(Duration.ofSeconds(29));
        assertThat(cases.due()).as("quiet for 29 s only").isEmpty();
        clock.advance(Duration.ofSeconds(1));
        List<CaseSnapshot> due = cases.due();
        assertThat(due).hasSize(1);
        assertThat(due.get(0).revision()).isEqualTo(1);
        assertThat(due.get(0).records()).hasSize(2);

        cases.opened(due.get(0), clock.millis());
        assertThat(cases.due()).isEmpty();
        assertThat(cases.pendingCount()).isZero();

        // the same instance again changes nothing
        clock.advance(Duration.ofMinutes(1));
        assertThat(cases.record(slice("1.2.3.1.2", 2))).isEqualTo(CaseRegistry.Recorded.ALREADY_KNOWN);
        clock.advance(QUIET);
        assertThat(cases.due()).isEmpty();

        // a late instance reopens the case, complete, as revision 2
        assertThat(cases.record(slice("1.2.3.1.3", 4))).isEqualTo(CaseRegistry.Recorded.NEW);
        clock.advance(QUIET);
        due = cases.due();
        assertThat(due).hasSize(1);
        assertThat(due.get(0).revision()).isEqualTo(2);
        assertThat(due.get(0).records()).hasSize(3);
    }

    @Test
    void theAnnouncedInstanceCountOpensTheCaseWithoutWaiting(@TempDir Path dir) throws Exception {
        CaseRegistry cases = registry(dir);
        cases.record(Records.expecting(slice("1.2.3.1.1", 0), 3));
        cases.record(Records.expecting(slice("1.2.3.1.2", 2), 3));
        assertThat(cases.due()).isEmpty();

        cases.record(Records.expecting(slice("1.2.3.1.3", 4), 3));

        assertThat(cases.due()).hasSize(1);
    }

    @Test
    void instancesArrivingDuringAnOpeningKeepTheCaseDirty(@TempDir Path dir) throws Exception {
        CaseRegistry cases = registry(dir);
        cases.record(slice("1.2.3.1.1", 0));
        clock.advance(QUIET);
        CaseSnapshot snapshot = cases.due().get(0);
        cases.record(slice("1.2.3.1.2", 2)); // arrives while the events are being written

        cases.opened(snapshot, clock.millis());

        assertThat(cases.pendingCount()).isEqualTo(1);
        clock.advance(QUIET);
        assertThat(cases.due()).singleElement().satisfies(s -> assertThat(s.revision()).isEqualTo(2));
    }

    @Test
    void aRefusedInstanceSentAgainCompleteReplacesTheRefusal(@TempDir Path dir) throws Exception {
        CaseRegistry cases = registry(dir);
        cases.record(Records.refused("1.2.3", "1.2.3.1", "1.2.3.1.1", InstanceRecord.Outcome.REFUSED, "PIXEL_DATA_TRUNCATED", clock.millis()));

        assertThat(cases.record(slice("1.2.3.1.1", 0))).isEqualTo(CaseRegistry.Recorded.UPGRADED);
        assertThat(cases.record(Records.refused("1.2.3", "1.2.3.1", "1.2.3.1.1", InstanceRecord.Outcome.REFUSED, "PIXEL_DATA_TRUNCATED",
                clock.millis()))).isEqualTo(CaseRegistry.Recorded.ALREADY_KNOWN);
        clock.advance(QUIET);
        assertThat(cases.due().get(0).records()).singleElement()
                .satisfies(r -> assertThat(r.outcome()).isEqualTo(InstanceRecord.Outcome.PROCESSABLE));
    }

    @Test
    void aRestartRebuildsCasesInProgressFromTheJournal(@TempDir Path dir) throws Exception {
        CaseRegistry before = registry(dir);
        before.record(slice("1.2.3.1.1", 0));
        before.record(Records.slice("4.5.6", "4.5.6.1", "4.5.6.1.1", "AP", 0, 1, clock.millis()));
        clock.advance(QUIET);
        CaseSnapshot opened = before.due().stream().filter(s -> s.studyUid().equals("4.5.6")).findFirst().orElseThrow();
        before.opened(opened, clock.millis());
        before.record(slice("1.2.3.1.2", 2));

        // the process dies; a new one reads the journal
        clock.advance(Duration.ofSeconds(5));
        CaseRegistry after = registry(dir);
        assertThat(after.restore()).isEqualTo(1);

        assertThat(after.due()).as("a restart starts the quiet period again").isEmpty();
        clock.advance(QUIET);
        List<CaseSnapshot> due = after.due();
        assertThat(due).singleElement().satisfies(s -> {
            assertThat(s.studyUid()).isEqualTo("1.2.3");
            assertThat(s.records()).hasSize(2);
            assertThat(s.revision()).isEqualTo(1);
        });
        assertThat(after.revision("4.5.6")).isEqualTo(1);
        // the opened case left memory; a late instance reads it back and reopens it as revision 2
        assertThat(after.record(Records.slice("4.5.6", "4.5.6.1", "4.5.6.1.2", "AP", 2, 2, clock.millis()))).isEqualTo(CaseRegistry.Recorded.NEW);
        clock.advance(QUIET);
        assertThat(after.due()).filteredOn(s -> s.studyUid().equals("4.5.6")).singleElement()
                .satisfies(s -> {
                    assertThat(s.revision()).isEqualTo(2);
                    assertThat(s.records()).hasSize(2);
                });
    }

    @Test
    void aLineCutShortByACrashIsSkipped(@TempDir Path dir) throws Exception {
        CaseRegistry before = registry(dir);
        before.record(slice("1.2.3.1.1", 0));
        Files.writeString(dir.resolve("1.2.3.jsonl"), "{\"type\":\"instance\",\"study\":\"1.2", java.nio.file.StandardOpenOption.APPEND);

        CaseRegistry after = registry(dir);
        after.restore();
        clock.advance(QUIET);

        assertThat(after.due()).singleElement().satisfies(s -> assertThat(s.records()).hasSize(1));
    }

    @Test
    void housekeepingForgetsOldCasesButKeepsTheirRevision(@TempDir Path dir) throws Exception {
        CaseRegistry cases = registry(dir);
        cases.record(slice("1.2.3.1.1", 0));
        clock.advance(QUIET);
        cases.opened(cases.due().get(0), clock.millis());

        clock.advance(Duration.ofDays(15));
        cases.housekeeping(Duration.ofDays(14));

        assertThat(Files.readAllLines(dir.resolve("1.2.3.jsonl"))).singleElement().asString().contains("expired");
        cases.record(slice("1.2.3.1.9", 9));
        clock.advance(QUIET);
        assertThat(cases.due()).singleElement().satisfies(s -> {
            assertThat(s.revision()).isEqualTo(2);
            assertThat(s.records()).hasSize(1);
        });
    }
}

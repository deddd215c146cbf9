package org.lilnet.worker;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class CommitPacingTest {

    private final CommitPacing pacing = new CommitPacing(Duration.ofMillis(100));

    @Test
    void anIdleWorkerCommitsAtOnce() {
        assertThat(pacing.due(true, false, Duration.ofMillis(1))).isTrue();
    }

    @Test
    void underABacklogFinishedTasksWaitForTheInterval() {
        assertThat(pacing.due(true, true, Duration.ofMillis(99))).isFalse();
        assertThat(pacing.due(true, true, Duration.ofMillis(100))).isTrue();
    }

    @Test
    void neverTwoTransactionsAtOnce() {
        assertThat(pacing.due(false, false, Duration.ofSeconds(5))).isFalse();
        assertThat(pacing.due(false, true, Duration.ofSeconds(5))).isFalse();
    }

    @Test
    void aZeroIntervalCommitsAfterEveryBatch() {
        assertThat(new CommitPacing(Duration.ZERO).due(true, true, Duration.ZERO)).isTrue();
    }
}

package org.lilnet.worker;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class RecentRateTest {

    private long nanos = 1_000_000_000_000L;

    @Test
    void averagesOverTheLastMinute() {
        RecentRate rate = new RecentRate(() -> nanos);
        rate.add(10);
        nanos += 1_000_000_000L;
        rate.add(20);
        assertThat(rate.perSecond()).as("two seconds old").isCloseTo(15, within(1e-9));

        nanos += 59_000_000_000L;   // the first bucket has left the window
        assertThat(rate.perSecond()).isCloseTo(20.0 / 60, within(1e-9));

        nanos += 120_000_000_000L;
        assertThat(rate.perSecond()).isZero();
    }
}

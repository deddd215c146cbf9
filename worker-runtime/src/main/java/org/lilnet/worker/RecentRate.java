package org.lilnet.worker;

import java.util.function.LongSupplier;

/** Events per second over the last minute (one-second buckets), for the per-second gauges of /metrics. */
public final class RecentRate {

    private static final int SECONDS = 60;

    private final long[] buckets = new long[SECONDS];
    private final LongSupplier nanoClock;
    private final long startSecond;
    private long currentSecond;

    public RecentRate() {
        this(System::nanoTime);
    }

    RecentRate(LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
        this.startSecond = nanoClock.getAsLong() / 1_000_000_000L;
        this.currentSecond = startSecond;
    }

    public synchronized void add(long count) {
        advance();
        buckets[(int) (currentSecond % SECONDS)] += count;
    }

    /** Mean rate over the last 60 s (or since start, when younger), events per second. */
    public synchronized double perSecond() {
        advance();
        long sum = 0;
        for (long b : buckets) {
            sum += b;
        }
        long span = Math.min(SECONDS, Math.max(1, currentSecond - startSecond + 1));
        return (double) sum / span;
    }

    private void advance() {
        long now = nanoClock.getAsLong() / 1_000_000_000L;
        for (long s = Math.max(currentSecond + 1, now - SECONDS + 1); s <= now; s++) {
            buckets[(int) (s % SECONDS)] = 0;
        }
        currentSecond = Math.max(currentSecond, now);
    }
}

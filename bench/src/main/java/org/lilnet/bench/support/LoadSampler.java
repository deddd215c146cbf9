package org.lilnet.bench.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The machine's one-minute load average, sampled every few seconds for the whole run, so that each section's figures
 * can be read next to the load they were measured under (the build machines are shared).
 */
public final class LoadSampler implements AutoCloseable {

    private record Sample(long nanos, double load) {
    }

    private final List<Sample> samples = new ArrayList<>();
    private final Thread thread;

    private LoadSampler(long periodMillis) {
        thread = new Thread(() -> {
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    double load = oneMinute();
                    if (!Double.isNaN(load)) {
                        synchronized (samples) {
                            samples.add(new Sample(System.nanoTime(), load));
                        }
                    }
                    Thread.sleep(periodMillis);
                }
            } catch (InterruptedException e) {
                // closed
            }
        }, "load-sampler");
        thread.setDaemon(true);
    }

    public static LoadSampler start() {
        LoadSampler s = new LoadSampler(2000);
        s.thread.start();
        return s;
    }

    /** A point in time to summarise from. */
    public long mark() {
        return System.nanoTime();
    }

    /** "mean 3.1, max 8.2" of the samples since the mark (plus the current value). */
    public String since(long mark) {
        List<Double> loads = new ArrayList<>();
        synchronized (samples) {
            samples.stream().filter(s -> s.nanos >= mark).forEach(s -> loads.add(s.load));
        }
        double now = oneMinute();
        if (!Double.isNaN(now)) {
            loads.add(now);
        }
        if (loads.isEmpty()) {
            return "unknown";
        }
        double mean = loads.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
        double max = loads.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
        return String.format(Locale.ROOT, "mean %.1f, max %.1f", mean, max);
    }

    /** The load average now: "1, 5 and 15 minutes". */
    public static String now() {
        try {
            String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return parts[0] + ", " + parts[1] + ", " + parts[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    static double oneMinute() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    @Override
    public void close() {
        thread.interrupt();
    }
}

package org.lilnet.bench.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * CPU time of a JVM's JIT compiler threads (HotSpot names them "C1 CompilerThread<n>" and "C2 CompilerThread<n>",
 * which Linux cuts to 15 characters), from {@code /proc/<pid>/task/<tid>/stat}. A worker whose compilers are still
 * busy is not yet at its steady speed: on a worker's single core, compiling took 8-30% of the CPU during the first
 * rounds after a short warm-up.
 */
public final class JitActivity {

    /** Clock ticks per second of the utime/stime fields ({@code getconf CLK_TCK}; 100 on every Linux we run). */
    static final double TICKS_PER_SECOND = 100.0;

    private JitActivity() {
    }

    /** CPU seconds the process's JIT compiler threads have used so far; NaN when unknown (gone, or not Linux). */
    public static double compilerSeconds(long pid) {
        Path tasks = Path.of("/proc", String.valueOf(pid), "task");
        try (Stream<Path> threads = Files.list(tasks)) {
            return threads.mapToDouble(t -> {
                try {
                    return compilerSecondsOf(Files.readString(t.resolve("stat")));
                } catch (IOException | RuntimeException e) {
                    return 0;   // the thread ended meanwhile
                }
            }).sum();
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    /** The thread ids of the process's JIT compiler threads (empty when unknown). */
    public static List<Long> compilerThreads(long pid) {
        try (Stream<Path> threads = Files.list(Path.of("/proc", String.valueOf(pid), "task"))) {
            return threads.filter(t -> {
                try {
                    return isCompilerThread(Files.readString(t.resolve("comm")).trim());
                } catch (IOException | RuntimeException e) {
                    return false;   // the thread ended meanwhile
                }
            }).map(t -> Long.parseLong(t.getFileName().toString())).toList();
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }

    static boolean isCompilerThread(String name) {
        return name.startsWith("C1 CompilerThre") || name.startsWith("C2 CompilerThre");
    }

    /**
     * A thread's CPU seconds (utime + stime) from its stat line when it is a JIT compiler thread, else 0. The name is
     * between the first '(' and the last ')' (it may hold spaces); utime and stime are the 12th and 13th fields after it.
     */
    static double compilerSecondsOf(String statLine) {
        int open = statLine.indexOf('(');
        int close = statLine.lastIndexOf(')');
        if (open < 0 || close < open) {
            return 0;
        }
        if (!isCompilerThread(statLine.substring(open + 1, close))) {
            return 0;
        }
        String[] fields = statLine.substring(close + 2).trim().split("\\s+");
        // after the name: state(0) ppid pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt utime(11) stime(12)
        return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / TICKS_PER_SECOND;
    }
}

package org.lilnet.bench.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Resident memory of a process from {@code /proc/<pid>/status}: the peak ({@code VmHWM}) and the current
 * ({@code VmRSS}), in bytes. The peak can be reset (writing 5 to {@code /proc/<pid>/clear_refs}, our own processes) so
 * that each part of a run gets its own peak.
 */
public final class ProcessMemory {

    private ProcessMemory() {
    }

    /** Peak resident set size since start or the last reset, bytes; -1 when unknown. */
    public static long peakRss(long pid) {
        return field(pid, "VmHWM:");
    }

    public static long rss(long pid) {
        return field(pid, "VmRSS:");
    }

    /** Sets the peak to the current resident size; false when the kernel does not allow it. */
    public static boolean resetPeak(long pid) {
        try {
            Files.writeString(Path.of("/proc", String.valueOf(pid), "clear_refs"), "5");
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    static long field(long pid, String name) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
                if (line.startsWith(name)) {
                    return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // gone, or not Linux
        }
        return -1;
    }
}

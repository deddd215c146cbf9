package org.lilnet.bench.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * Processes of a benchmark run: pinning to CPUs ({@code taskset}, util-linux) and pausing ({@code kill -STOP/-CONT}).
 * Pinning lets one machine show a worker on cores of its own while the broker and the registry run on the others, as
 * they do in production; pausing lets a backlog be produced before the worker may start on it, and keeps an idle
 * worker from running beside a baseline.
 */
public final class ProcessControl {

    private ProcessControl() {
    }

    /** Whether {@code taskset} works here and there are at least two cores to split. */
    public static boolean canPin() {
        if (cores() < 2) {
            return false;
        }
        try {
            run(List.of("taskset", "-p", String.valueOf(ProcessHandle.current().pid())));
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** Pins every thread of a process (and the threads it starts later) to the given CPUs, e.g. "1" or "0-3". */
    public static void pin(long pid, String cpus) throws IOException {
        run(List.of("taskset", "-a", "-p", "-c", cpus, String.valueOf(pid)));
    }

    public static void pinSelf(String cpus) throws IOException {
        pin(ProcessHandle.current().pid(), cpus);
    }

    /** All CPUs of the machine ("0-N"), to undo a pin. */
    public static String allCpus() {
        return "0-" + (cores() - 1);
    }

    /** Gives one thread (a Linux task id) the lowest CPU priority, nice 19: it runs when its cores are otherwise idle. */
    public static void lowestPriority(long tid) throws IOException {
        run(List.of("renice", "-n", "19", "-p", String.valueOf(tid)));
    }

    /** Runs {@code action} while the process is paused (SIGSTOP), and resumes it (SIGCONT) whatever happens. */
    public static <T> T whileSuspended(long pid, Callable<T> action) throws Exception {
        run(List.of("kill", "-STOP", String.valueOf(pid)));
        try {
            return action.call();
        } finally {
            run(List.of("kill", "-CONT", String.valueOf(pid)));
        }
    }

    /** The machine's online cores (not this process's affinity, which a pin changes). */
    public static int cores() {
        try {
            String online = java.nio.file.Files.readString(java.nio.file.Path.of("/sys/devices/system/cpu/online")).trim();
            int n = 0;
            for (String part : online.split(",")) {
                String[] range = part.split("-");
                n += range.length == 1 ? 1 : Integer.parseInt(range[1]) - Integer.parseInt(range[0]) + 1;
            }
            return n;
        } catch (IOException | RuntimeException e) {
            return Runtime.getRuntime().availableProcessors();
        }
    }

    private static void run(List<String> command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException(String.join(" ", command) + " failed: " + out.trim());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: " + String.join(" ", command), e);
        }
    }
}

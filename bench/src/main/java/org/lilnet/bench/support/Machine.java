package org.lilnet.bench.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** What the figures were measured on: CPU, cores, memory, disk, operating system, runtimes. */
public final class Machine {

    private Machine() {
    }

    public static Map<String, String> describe(Path work) {
        Map<String, String> out = new LinkedHashMap<>();
        out.put("CPU", cpuModel() + ", " + Runtime.getRuntime().availableProcessors() + " cores available to the JVM");
        out.put("memory", memory());
        out.put("operating system", osName() + ", kernel " + System.getProperty("os.version"));
        out.put("Java", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        out.put("disk of the work directory", disk(work));
        return out;
    }

    public static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return System.getProperty("os.arch");
    }

    static String memory() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    long kb = Long.parseLong(line.replaceAll("\\D", ""));
                    return String.format(Locale.ROOT, "%.1f GB", kb / 1024.0 / 1024.0);
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return "unknown";
    }

    static String osName() {
        try {
            for (String line : Files.readAllLines(Path.of("/etc/os-release"))) {
                if (line.startsWith("PRETTY_NAME=")) {
                    return line.substring("PRETTY_NAME=".length()).replace("\"", "");
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return System.getProperty("os.name");
    }

    static String disk(Path work) {
        String df = run(List.of("df", "-hT", work.toAbsolutePath().toString()));
        List<String> lines = df.lines().toList();
        if (lines.size() < 2) {
            return "unknown";
        }
        String[] f = lines.get(1).trim().split("\\s+");
        return f.length >= 3 ? f[1] + " (" + f[0] + ", " + f[2] + ")" : lines.get(1);
    }

    /** The output of a short command, "" when it fails. */
    public static String run(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String text = new String(p.getInputStream().readAllBytes());
            return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0 ? text.trim() : "";
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }
}

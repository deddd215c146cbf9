package org.lilnet.launcher;

import picocli.CommandLine.Command;
import picocli.CommandLine.Unmatched;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code lilnet bench}: runs {@code bench/run-bench} (the bench module depends on the launcher, not the other way
 * round, so the benchmarks run in their own JVM with their own class path). Every argument is passed on;
 * {@code lilnet bench --help} lists them.
 */
@Command(name = "bench", description = {"Measure this machine: ingest, workers against bare ONNX Runtime and PyTorch eager, end-to-end latency,",
        "memory and growth with study size; writes docs/PERFORMANCE.md. --quick checks in minutes that it works; --help for the options."})
public final class BenchCommand implements Callable<Integer> {

    @Unmatched
    List<String> arguments = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        Path script = Path.of("bench", "run-bench").toAbsolutePath();
        if (!Files.isExecutable(script)) {
            System.err.println(script + " not found: run lilnet bench from the repository (bin/lilnet does)");
            return 2;
        }
        List<String> command = new ArrayList<>(List.of(script.toString()));
        command.addAll(arguments);
        Process process = new ProcessBuilder(command).inheritIO().start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> process.descendants().forEach(ProcessHandle::destroy), "bench-stop"));
        return process.waitFor();
    }
}

package org.lilnet.models;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the Python model tools with the Debian Python that has torch ({@code lilnet.python}, /usr/bin/python3). */
final class PythonTool {

    /** What a tool run left: exit status, its output and error text, and how long it took. */
    record Result(int exitStatus, String stdout, String stderr, long millis) {
        Result requireSuccess() {
            if (exitStatus != 0) {
                throw new IllegalStateException("python tool failed with exit status " + exitStatus + "\nstdout:\n"
                        + stdout + "\nstderr:\n" + stderr);
            }
            return this;
        }
    }

    static final Path MODELS_DIR = Path.of(System.getProperty("lilnet.models.dir", ".")).toAbsolutePath().normalize();
    static final Path TOOLS = MODELS_DIR.resolve("tools");
    static final Path TEST_PYTHON = MODELS_DIR.resolve("src/test/python");
    static final Path WORK = Path.of(System.getProperty("lilnet.models.work", "target/export-test")).toAbsolutePath();
    private static final String PYTHON = System.getProperty("lilnet.python", "/usr/bin/python3");

    private PythonTool() {
    }

    static Result run(Path script, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(PYTHON, script.toString()));
        command.addAll(List.of(args));
        return runCommand(command);
    }

    static Result runCommand(List<String> command) throws IOException, InterruptedException {
        Files.createDirectories(WORK);
        Path out = Files.createTempFile(WORK, "python-", ".out");
        Path err = Files.createTempFile(WORK, "python-", ".err");
        long started = System.nanoTime();
        ProcessBuilder builder = new ProcessBuilder(command).directory(MODELS_DIR.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        builder.environment().put("PYTHONDONTWRITEBYTECODE", "1"); // no __pycache__ in the source tree
        Process process = builder.start();
        try {
            if (!process.waitFor(10, TimeUnit.MINUTES)) {
                throw new IllegalStateException("python tool did not finish in 10 minutes: " + command);
            }
        } finally {
            process.destroyForcibly();
        }
        long millis = (System.nanoTime() - started) / 1_000_000;
        Result result = new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8), millis);
        Files.delete(out);
        Files.delete(err);
        return result;
    }
}

package org.lilnet.it.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the Confluent Node client scripts of {@code it-tests/node}. */
public final class NodeClients {

    /** What a script printed and how it ended. */
    public record Result(int exitCode, String stdout, String stderr) {
    }

    private NodeClients() {
    }

    public static Path directory() {
        return ItPaths.repoRoot().resolve("it-tests/node");
    }

    public static Result run(String script, List<String> args, long timeoutSeconds) throws IOException, InterruptedException {
        if (!Files.isDirectory(directory().resolve("node_modules"))) {
            throw new IllegalStateException("Confluent's Node clients are not installed: run 'npm ci' in " + directory());
        }
        List<String> command = new ArrayList<>(List.of("node", script));
        command.addAll(args);
        Path out = Files.createTempFile(ItPaths.work(), "node-out", ".txt");
        Path err = Files.createTempFile(ItPaths.work(), "node-err", ".txt");
        Process process = new ProcessBuilder(command).directory(directory().toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("node " + script + " did not finish within " + timeoutSeconds + " s; stderr: "
                    + Files.readString(err, StandardCharsets.UTF_8));
        }
        return new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    }
}

package org.lilnet.stack;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real Apicurio Registry (the Quarkus fast-jar from Maven Central), storing its schemas in an H2 file in the
 * stack's data directory so that schema ids survive a restart of the stack. Needs Java 21 or newer.
 */
public final class SchemaRegistryServer {

    private final StackRuntime runtime;
    private final Path directory;
    private final Path logs;
    private final Path cache;
    private final Path javaHome;
    private final String host;
    private final int port;
    private final int managementPort;
    private final String heap;
    private ChildProcess process;

    SchemaRegistryServer(StackRuntime runtime, Path directory, Path logs, Path cache, Path javaHome, String host, int port,
                         int managementPort, String heap) {
        this.runtime = runtime;
        this.directory = directory;
        this.logs = logs;
        this.cache = cache;
        this.javaHome = javaHome;
        this.host = host;
        this.port = port;
        this.managementPort = managementPort;
        this.heap = heap;
    }

    public String url() {
        return "http://" + host + ":" + port;
    }

    public String readinessUrl() {
        return "http://" + host + ":" + managementPort + "/health/ready";
    }

    synchronized void start() throws IOException, InterruptedException {
        if (process != null && process.isAlive()) {
            return;
        }
        Path app = unpacked();
        Files.createDirectories(directory);
        List<String> command = JavaCommand.jar(app.resolve("quarkus-run.jar")).javaHome(javaHome).heap(heap)
                .jvmOption("-XX:+UseSerialGC")
                .property("quarkus.http.host", host)
                .property("quarkus.http.port", String.valueOf(port))
                .property("quarkus.management.host", host)
                .property("quarkus.management.port", String.valueOf(managementPort))
                .property("apicurio.datasource.url", "jdbc:h2:file:" + directory.resolve("registry") + ";DB_CLOSE_ON_EXIT=FALSE")
                .property("apicurio.datasource.jdbc.initial-size", "2")
                .property("apicurio.datasource.jdbc.min-size", "2")
                .property("apicurio.datasource.jdbc.max-size", "10")
                .property("apicurio.storage.snapshot.location", directory.toString())
                .property("java.io.tmpdir", directory.toString())
                .build();
        process = ChildProcess.start("schema-registry", command, directory, logs.resolve("registry.log"), Map.of());
    }

    synchronized void stop(Duration grace) {
        if (process != null) {
            process.stop(grace);
        }
    }

    synchronized ChildProcess process() {
        return process;
    }

    /** The registry application, unpacked once per version into the cache (shared by stacks, safe to race). */
    private Path unpacked() throws IOException, InterruptedException {
        Path target = cache.resolve("apicurio-registry-" + runtime.registryVersion());
        if (Files.isRegularFile(target.resolve("quarkus-run.jar"))) {
            return target;
        }
        Files.createDirectories(cache);
        Path staging = Files.createTempDirectory(cache, "unpacking-");
        try {
            Process tar = new ProcessBuilder("tar", "-xzf", runtime.registryTarball().toString(), "-C", staging.toString())
                    .redirectErrorStream(true).start();
            String output = new String(tar.getInputStream().readAllBytes());
            if (!tar.waitFor(5, TimeUnit.MINUTES) || tar.exitValue() != 0) {
                throw new IOException("unpacking " + runtime.registryTarball() + " failed: " + output);
            }
            try {
                Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException | java.nio.file.DirectoryNotEmptyException | AtomicMoveNotSupportedException raced) {
                // another stack unpacked it first: use theirs
            }
            return target;
        } finally {
            deleteTree(staging);
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}

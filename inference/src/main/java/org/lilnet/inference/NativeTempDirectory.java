package org.lilnet.inference;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

/**
 * The process's temporary directory. ONNX Runtime's Java binding unpacks its native library into a new
 * {@code onnxruntime-java*} folder of {@code java.io.tmpdir} and leaves the empty folder behind (after a crash,
 * also the library): a service points {@code java.io.tmpdir} at its own directory and clears old leftovers at start.
 * Must run before anything creates a temporary file (the JDK reads {@code java.io.tmpdir} once).
 */
public final class NativeTempDirectory {

    private static final Logger LOG = LoggerFactory.getLogger(NativeTempDirectory.class);
    private static final String ORT_PREFIX = "onnxruntime-java";
    /** Leftovers younger than this may belong to a process that is unpacking right now. */
    static final Duration LEFTOVER_AGE = Duration.ofMinutes(1);

    private NativeTempDirectory() {
    }

    /** Makes {@code directory} this process's temporary directory and removes old ONNX Runtime leftovers from it. */
    public static Path use(Path directory) throws IOException {
        Path dir = directory.toAbsolutePath().normalize();
        Files.createDirectories(dir);
        int removed = removeLeftovers(dir, Instant.now().minus(LEFTOVER_AGE));
        System.setProperty("java.io.tmpdir", dir.toString());
        Path probe = Files.createTempFile("lilnet-", ".probe");
        try {
            if (!probe.toAbsolutePath().getParent().equals(dir)) {
                LOG.warn("java.io.tmpdir was read before it could be set to {}: temporary files go to {}; start the JVM with -Djava.io.tmpdir={}",
                        dir, probe.getParent(), dir);
            }
        } finally {
            Files.deleteIfExists(probe);
        }
        if (removed > 0) {
            LOG.info("removed {} ONNX Runtime temporary folder(s) left in {} by earlier runs", removed, dir);
        }
        return dir;
    }

    /** Deletes {@code onnxruntime-java*} folders last modified before {@code olderThan}; returns how many. */
    static int removeLeftovers(Path dir, Instant olderThan) throws IOException {
        int removed = 0;
        try (DirectoryStream<Path> folders = Files.newDirectoryStream(dir, ORT_PREFIX + "*")) {
            for (Path folder : folders) {
                if (Files.isDirectory(folder) && Files.getLastModifiedTime(folder).toInstant().isBefore(olderThan)) {
                    try (DirectoryStream<Path> files = Files.newDirectoryStream(folder)) {
                        for (Path file : files) {
                            Files.deleteIfExists(file);
                        }
                    }
                    Files.deleteIfExists(folder);
                    removed++;
                }
            }
        }
        return removed;
    }
}

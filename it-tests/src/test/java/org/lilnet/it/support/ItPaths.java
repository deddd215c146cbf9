package org.lilnet.it.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Where things are during an integration test run. */
public final class ItPaths {

    private ItPaths() {
    }

    /** The repository's root directory. */
    public static Path repoRoot() {
        return Path.of(System.getProperty("lilnet.repo.root", "..")).toAbsolutePath().normalize();
    }

    /** The shared data next to the repository ({@code ../shared}): DICOM corpus, docs. Referenced, never copied. */
    public static Path shared() {
        return Path.of(System.getProperty("lilnet.shared.dir", repoRoot().resolveSibling("shared").toString())).toAbsolutePath().normalize();
    }

    /** Scratch space of the runs ({@code it-tests/target/it-work}); each test makes its own directory in it. */
    public static Path work() {
        Path work = Path.of(System.getProperty("lilnet.it.work", "target/it-work")).toAbsolutePath();
        try {
            Files.createDirectories(work);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return work;
    }

    /** A fresh directory under the scratch space. */
    public static Path newWorkDirectory(String prefix) {
        try {
            return Files.createTempDirectory(work(), prefix);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

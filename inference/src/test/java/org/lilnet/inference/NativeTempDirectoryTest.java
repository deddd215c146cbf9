package org.lilnet.inference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class NativeTempDirectoryTest {

    @TempDir
    Path dir;

    @Test
    void removesOldOnnxRuntimeFoldersAndKeepsEverythingElse() throws Exception {
        Instant now = Instant.now();
        Path oldEmpty = Files.createDirectory(dir.resolve("onnxruntime-java123"));
        Path oldWithLibrary = Files.createDirectory(dir.resolve("onnxruntime-java456"));
        Files.writeString(oldWithLibrary.resolve("libonnxruntime.so"), "x");
        Path young = Files.createDirectory(dir.resolve("onnxruntime-java789"));
        Path other = Files.createDirectory(dir.resolve("something-else"));
        for (Path p : new Path[] {oldEmpty, oldWithLibrary, other}) {
            Files.setLastModifiedTime(p, FileTime.from(now.minusSeconds(3600)));
        }

        int removed = NativeTempDirectory.removeLeftovers(dir, now.minus(NativeTempDirectory.LEFTOVER_AGE));

        assertThat(removed).isEqualTo(2);
        assertThat(oldEmpty).doesNotExist();
        assertThat(oldWithLibrary).doesNotExist();
        assertThat(young).exists();
        assertThat(other).exists();
    }
}

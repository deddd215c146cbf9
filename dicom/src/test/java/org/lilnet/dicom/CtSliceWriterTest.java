package org.lilnet.dicom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class CtSliceWriterTest {

    @Test
    void writesACtSliceThatReadsBackAndThatDciodvfyAccepts(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("slice.dcm");
        CtSliceWriter writer = new CtSliceWriter().description("PVP 5.0").z(12.5).size(64, 64);
        writer.write(file);

        CtSlice slice = CtSliceReader.read(file);
        assertThat(slice.sopInstanceUid()).isEqualTo(writer.sopUid());
        assertThat(slice.hu(0, 0)).isEqualTo(-1000f);
        assertThat(slice.hu(32, 50)).isEqualTo(40f);
        assertThat(slice.geometry().positionAlongNormal()).isEqualTo(12.5);
        assertThat(writer.sopUid()).startsWith("2.25.");
        assertThat(DicomUids.isValid(writer.sopUid())).isTrue();

        // dciodvfy (dicom3tools) checks the file against the CT Image IOD
        Process p = new ProcessBuilder("dciodvfy", file.toString()).redirectErrorStream(true).start();
        String report = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(report.lines().filter(l -> l.startsWith("Error"))).as(report).isEmpty();
        assertThat(Files.size(file)).isGreaterThan(64 * 64 * 2);
    }
}

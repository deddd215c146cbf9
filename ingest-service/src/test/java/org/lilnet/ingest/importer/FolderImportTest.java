package org.lilnet.ingest.importer;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lilnet.common.blob.FileBlobStore;
import org.lilnet.dicom.CtSliceWriter;
import org.lilnet.ingest.cases.CaseJournal;
import org.lilnet.ingest.cases.CaseRegistry;
import org.lilnet.ingest.intake.Intake;
import org.lilnet.ingest.intake.IntakeMetrics;
import org.lilnet.ingest.intake.Spool;
import org.lilnet.ingest.web.StowServer;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class FolderImportTest {

    static final Path CORPUS = Path.of(System.getProperty("lilnet.shared.dir", "../../shared"), "dicom-corpus").toAbsolutePath().normalize();

    @TempDir
    Path dir;
    StowServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void importsADicomdirAndLooseFilesAndSaysWhatBecameOfEach() throws Exception {
        FileBlobStore blobs = new FileBlobStore(dir.resolve("blobs"));
        CaseRegistry cases = new CaseRegistry(new CaseJournal(dir.resolve("state"), false), Clock.systemUTC(), Duration.ofSeconds(30),
                Duration.ofMinutes(10));
        Intake intake = new Intake(blobs, cases, (k, l) -> { }, new IntakeMetrics(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT)),
                new Intake.Policy(true, true), Clock.systemUTC(), "test");
        server = new StowServer(new StowServer.Settings("127.0.0.1", 0, "tok", 2), intake, new Spool(dir.resolve("spool"), 1 << 20, 1 << 26));
        server.start();

        // a CD-like folder: DICOMDIR (made by dcmtk) referencing ISO 9660 names, plus loose files
        Path media = dir.resolve("media");
        CtSliceWriter a = new CtSliceWriter().size(64, 64).description("ART");
        a.write(media.resolve("SER01/IM0001"));
        new CtSliceWriter().study(a.studyUid()).series(a.seriesUid()).size(64, 64).z(2.5).write(media.resolve("SER01/IM0002"));
        Process mkdir = new ProcessBuilder("dcmmkdir", "--recurse", "--invent", "+D", "DICOMDIR", "SER01").directory(media.toFile())
                .redirectErrorStream(true).start();
        String mkdirOutput = new String(mkdir.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(mkdir.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(Files.exists(media.resolve("DICOMDIR"))).as(mkdirOutput).isTrue();
        Files.copy(CORPUS.resolve("abdomen/SIEMENS_Avanto_MR_abdomen_overlays.dcm"), media.resolve("loose-mr.dcm"));
        Files.writeString(media.resolve("README.txt"), "not DICOM");
        new CtSliceWriter().size(64, 64).write(media.resolve("cut.dcm"));
        byte[] whole = Files.readAllBytes(media.resolve("cut.dcm"));
        Files.write(media.resolve("cut.dcm"), Arrays.copyOf(whole, whole.length - 300));

        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        FolderImport.Summary summary = new FolderImport(URI.create("http://127.0.0.1:" + server.port() + "/studies"), "tok",
                new PrintStream(printed, true, StandardCharsets.UTF_8)).run(media);

        String report = printed.toString(StandardCharsets.UTF_8);
        assertThat(summary.count(FolderImport.Kind.STORED)).as(report).isEqualTo(2);
        assertThat(summary.count(FolderImport.Kind.NOT_PROCESSED)).as(report).isEqualTo(1);
        assertThat(summary.count(FolderImport.Kind.REFUSED)).as(report).isEqualTo(1);
        assertThat(summary.count(FolderImport.Kind.SKIPPED)).as(report).isEqualTo(1);
        assertThat(report).contains("1 DICOMDIR").contains("NOT_CT").contains("PIXEL_DATA_TRUNCATED").contains("README.txt")
                .contains("done: 2 stored, 1 stored but not processed, 1 refused, 1 skipped");
        assertThat(blobs.exists("dicom/" + a.studyUid() + "/" + a.seriesUid() + "/" + a.sopUid() + ".dcm")).isTrue();
    }

    @Test
    void reportsFilesADicomdirReferencesButThatAreMissing() throws Exception {
        Path corpusCopy = dir.resolve("dicomdir-tests");
        Files.createDirectories(corpusCopy);
        Files.copy(CORPUS.resolve("ct-series/pydicom-dicomdir/DICOMDIR"), corpusCopy.resolve("DICOMDIR"));

        DicomFolder.Contents contents = DicomFolder.scan(corpusCopy);

        assertThat(contents.dicomdirs()).hasSize(1);
        assertThat(contents.files()).isEmpty();
        assertThat(contents.missing()).isNotEmpty().allSatisfy(m -> assertThat(m).contains("does not exist"));
    }
}

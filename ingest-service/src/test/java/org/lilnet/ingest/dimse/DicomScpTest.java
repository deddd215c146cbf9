package org.lilnet.ingest.dimse;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lilnet.common.blob.FileBlobStore;
import org.lilnet.dicom.CtSlice;
import org.lilnet.dicom.CtSliceReader;
import org.lilnet.dicom.CtSliceWriter;
import org.lilnet.events.DeadLetter;
import org.lilnet.ingest.cases.CaseJournal;
import org.lilnet.ingest.cases.CaseRegistry;
import org.lilnet.ingest.intake.Intake;
import org.lilnet.ingest.intake.IntakeMetrics;
import org.lilnet.ingest.intake.Spool;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The storage SCP against dcmtk's storescu and echoscu, the clients a PACS or scanner would be. */
class DicomScpTest {

    static final Path CORPUS = Path.of(System.getProperty("lilnet.shared.dir", "../../shared"), "dicom-corpus").toAbsolutePath().normalize();

    @TempDir
    Path dir;
    FileBlobStore blobs;
    CaseRegistry cases;
    final List<DeadLetter> letters = new CopyOnWriteArrayList<>();
    DicomScp scp;

    @BeforeEach
    void start() throws Exception {
        blobs = new FileBlobStore(dir.resolve("blobs"));
        cases = new CaseRegistry(new CaseJournal(dir.resolve("state"), false), Clock.systemUTC(), Duration.ZERO, Duration.ofMinutes(10));
        PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Intake intake = new Intake(blobs, cases, (k, l) -> letters.add(l), new IntakeMetrics(metrics), new Intake.Policy(true, true),
                Clock.systemUTC(), "test");
        scp = new DicomScp(new DicomScp.Settings("LILNET", "127.0.0.1", 0, Set.of("SCANNER", "PACS"), 4, Duration.ofSeconds(30), 65536),
                intake, new Spool(dir.resolve("spool"), 1 << 20, 64 << 20), metrics);
        scp.start();
    }

    @AfterEach
    void stop() {
        scp.close();
    }

    record Run(int exit, String output) {
    }

    Run dcmtk(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(Arrays.asList(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("dcmtk finished").isTrue();
        return new Run(p.exitValue(), out);
    }

    Run storescu(String callingAe, Path... files) throws Exception {
        List<String> args = new ArrayList<>(List.of("storescu", "-v", "-aet", callingAe, "-aec", "LILNET", "127.0.0.1", String.valueOf(scp.port())));
        for (Path f : files) {
            args.add(f.toString());
        }
        return dcmtk(args.toArray(String[]::new));
    }

    @Test
    void answersEcho() throws Exception {
        Run echo = dcmtk("echoscu", "-v", "-aet", "PACS", "-aec", "LILNET", "127.0.0.1", String.valueOf(scp.port()));

        assertThat(echo.exit()).as(echo.output()).isZero();
        assertThat(echo.output()).contains("Received Echo Response (Success)");
    }

    @Test
    void storesCtSlicesSentByStorescuAsReceived() throws Exception {
        List<Path> files = new ArrayList<>();
        List<CtSliceWriter> writers = new ArrayList<>();
        String study = org.lilnet.dicom.DicomUids.random();
        String series = org.lilnet.dicom.DicomUids.random();
        for (int i = 0; i < 3; i++) {
            CtSliceWriter w = new CtSliceWriter().study(study).series(series).description("PV").z(i * 2.5).instanceNumber(i + 1).size(128, 128);
            Path f = dir.resolve("in/" + i + ".dcm");
            w.write(f);
            files.add(f);
            writers.add(w);
        }

        Run run = storescu("SCANNER", files.toArray(Path[]::new));

        assertThat(run.exit()).as(run.output()).isZero();
        assertThat(run.output().split("Received Store Response \\(Success\\)", -1)).hasSize(4);
        for (int i = 0; i < 3; i++) {
            String key = "dicom/" + study + "/" + series + "/" + writers.get(i).sopUid() + ".dcm";
            assertThat(blobs.exists(key)).as(key).isTrue();
            CtSlice stored = CtSliceReader.read(blobs.pathOf(key));
            CtSlice sent = CtSliceReader.read(files.get(i));
            assertThat(Arrays.equals(stored.huPixels(), sent.huPixels())).isTrue();
            assertThat(stored.geometry().positionAlongNormal()).isEqualTo(i * 2.5);
        }
        assertThat(cases.due()).singleElement().satisfies(s -> assertThat(s.records()).hasSize(3));
        assertThat(letters).isEmpty();
    }

    @Test
    void answersNonCtObjectsWithSuccessAndADeadLetter() throws Exception {
        Run run = storescu("PACS", CORPUS.resolve("result-objects/pydicom_test-SR.dcm"), CORPUS.resolve("abdomen/SIEMENS_Avanto_MR_abdomen_overlays.dcm"));

        assertThat(run.exit()).as(run.output()).isZero();
        assertThat(letters).extracting(DeadLetter::getReasonCode).containsExactly("NOT_CT", "NOT_CT");
    }

    @Test
    void aCtSliceWithoutPixelSpacingIsStoredWithAWarningAndItsReason() throws Exception {
        Path f = dir.resolve("nospacing.dcm");
        new CtSliceWriter().withoutPixelSpacing().size(64, 64).write(f);

        Run run = storescu("PACS", f);

        assertThat(run.output()).contains("Received Store Response (Warning: DataSetDoesNotMatchSOPClass)");
        assertThat(letters).extracting(DeadLetter::getReasonCode).containsExactly("NO_PIXEL_SPACING");
    }

    @Test
    void refusesUnknownCallersAndWrongCalledAeTitlesAtNegotiation() throws Exception {
        Path f = dir.resolve("x.dcm");
        new CtSliceWriter().size(64, 64).write(f);

        Run stranger = storescu("STRANGER", f);
        Run wrongCalled = dcmtk("storescu", "-v", "-aet", "PACS", "-aec", "OTHER", "127.0.0.1", String.valueOf(scp.port()), f.toString());

        assertThat(stranger.exit()).isNotZero();
        assertThat(stranger.output()).contains("Calling AE Title Not Recognized");
        assertThat(wrongCalled.output()).contains("Called AE Title Not Recognized");
        assertThat(blobs.root().resolve("dicom")).doesNotExist();
    }

    @Test
    void refusesAtNegotiationWhatItCannotDecode() throws Exception {
        // storescu proposes JPEG-LS and uncompressed for a JPEG-LS file; we accept only the latter, so it has to convert
        // (this dcmtk build has no JPEG-LS decoder, so it gives up and says why)
        Run run = storescu("PACS", CORPUS.resolve("ct-transfer-syntax/CTImage_JPEGLSLosslessTransferSyntax_1.2.840.10008.1.2.4.80.dcm"));

        assertThat(run.output()).contains("Converting transfer syntax: JPEG-LS Lossless -> Little Endian Explicit");
        assertThat(blobs.root().resolve("dicom")).doesNotExist();
    }
}

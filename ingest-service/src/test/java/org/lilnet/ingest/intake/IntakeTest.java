package org.lilnet.ingest.intake;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lilnet.common.blob.BlobStore;
import org.lilnet.common.blob.FileBlobStore;
import org.lilnet.dicom.CtSliceWriter;
import org.lilnet.events.DeadLetter;
import org.lilnet.ingest.cases.CaseJournal;
import org.lilnet.ingest.cases.CaseRegistry;
import org.lilnet.ingest.cases.CaseSnapshot;
import org.lilnet.ingest.cases.InstanceRecord.Outcome;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

class IntakeTest {

    static final Path CORPUS = Path.of(System.getProperty("lilnet.shared.dir", "../../shared"), "dicom-corpus").toAbsolutePath().normalize();
    static final Source STOW = Source.stow("test", null);

    @TempDir
    Path dir;
    FileBlobStore blobs;
    CaseRegistry cases;
    final List<DeadLetter> letters = new ArrayList<>();
    final PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Intake intake;

    @BeforeEach
    void setUp() throws Exception {
        blobs = new FileBlobStore(dir.resolve("blobs"));
        cases = new CaseRegistry(new CaseJournal(dir.resolve("state"), false), Clock.systemUTC(), Duration.ZERO, Duration.ofMinutes(10));
        intake = intake(blobs);
    }

    Intake intake(BlobStore store) {
        return new Intake(store, cases, (key, letter) -> letters.add(letter), new IntakeMetrics(metrics), new Intake.Policy(true, true),
                Clock.systemUTC(), "test-1");
    }

    static byte[] ct(CtSliceWriter w) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        w.size(64, 64).write(out);
        return out.toByteArray();
    }

    IntakeResult accept(byte[] bytes, Source source) {
        return intake.accept(Spool.SpooledInstance.of(bytes), source);
    }

    @Test
    void aCtSliceIsStoredUnderItsKeyAndRecordedOnceEvenWhenSentTwice() throws Exception {
        CtSliceWriter writer = new CtSliceWriter().description("PV");
        byte[] bytes = ct(writer);

        IntakeResult first = accept(bytes, STOW);
        IntakeResult second = accept(bytes, Source.dimse("PACS", "127.0.0.1", "1.2.840.10008.5.1.4.1.1.2", writer.sopUid()));

        String key = "dicom/" + writer.studyUid() + "/" + writer.seriesUid() + "/" + writer.sopUid() + ".dcm";
        assertThat(first.outcome()).isEqualTo(Outcome.PROCESSABLE);
        assertThat(first.dimseStatus()).isZero();
        assertThat(first.blobKey()).isEqualTo(key);
        assertThat(blobs.read(key)).isEqualTo(bytes);
        assertThat(second.outcome()).isEqualTo(Outcome.PROCESSABLE);
        assertThat(cases.due()).singleElement().satisfies(s -> assertThat(s.records()).hasSize(1));
        assertThat(letters).isEmpty();
        assertThat(metrics.scrape()).contains("lilnet_ingest_instances_received_total{protocol=\"stow\"} 1.0")
                .contains("lilnet_ingest_stored_bytes_total " + bytes.length + ".0");
    }

    @Test
    void aNonCtObjectIsStoredNotProcessedWithADeadLetter() throws Exception {
        IntakeResult r = accept(Files.readAllBytes(CORPUS.resolve("abdomen/SIEMENS_Avanto_MR_abdomen_overlays.dcm")), STOW);

        assertThat(r.outcome()).isEqualTo(Outcome.STORED_NOT_PROCESSED);
        assertThat(r.dimseStatus()).isEqualTo(DicomStatus.SUCCESS);
        assertThat(r.reasonCode()).isEqualTo("NOT_CT");
        assertThat(r.detail()).contains("MR Image Storage");
        assertThat(blobs.exists(r.blobKey())).isTrue();
        assertThat(letters).singleElement().satisfies(l -> {
            assertThat(l.getReasonCode()).isEqualTo("NOT_CT");
            assertThat(l.getStage()).isEqualTo("ingest");
            assertThat(l.getBlobKey()).isEqualTo(r.blobKey());
            assertThat(l.getCaseId()).isEqualTo(r.studyUid());
        });
        CaseSnapshot s = cases.due().get(0);
        assertThat(s.records()).singleElement().satisfies(rec -> assertThat(rec.outcome()).isEqualTo(Outcome.STORED_NOT_PROCESSED));
    }

    @Test
    void aTruncatedSliceIsRefusedKeptAsEvidenceAndNeverStoredAsAnInstance() throws Exception {
        CtSliceWriter writer = new CtSliceWriter();
        byte[] whole = ct(writer);
        byte[] cut = Arrays.copyOf(whole, whole.length - 1000);

        IntakeResult r = accept(cut, STOW);

        assertThat(r.outcome()).isEqualTo(Outcome.REFUSED);
        assertThat(r.dimseStatus()).isEqualTo(DicomStatus.CANNOT_UNDERSTAND);
        assertThat(r.reasonCode()).isEqualTo("PIXEL_DATA_TRUNCATED");
        assertThat(blobs.exists("dicom/" + writer.studyUid() + "/" + writer.seriesUid() + "/" + writer.sopUid() + ".dcm")).isFalse();
        assertThat(r.blobKey()).startsWith("refused/");
        assertThat(blobs.read(r.blobKey())).isEqualTo(cut);
        assertThat(letters).singleElement().satisfies(l -> assertThat(l.getReasonCode()).isEqualTo("PIXEL_DATA_TRUNCATED"));
        assertThat(cases.due().get(0).records()).singleElement().satisfies(rec -> assertThat(rec.outcome()).isEqualTo(Outcome.REFUSED));

        // sent again whole, it replaces the refusal
        IntakeResult again = accept(whole, STOW);
        assertThat(again.outcome()).isEqualTo(Outcome.PROCESSABLE);
        assertThat(cases.due().get(0).records()).singleElement().satisfies(rec -> assertThat(rec.outcome()).isEqualTo(Outcome.PROCESSABLE));
    }

    @Test
    void aCtSliceWithoutPixelSpacingIsStoredWithAWarning() throws Exception {
        IntakeResult r = accept(ct(new CtSliceWriter().withoutPixelSpacing()), STOW);

        assertThat(r.outcome()).isEqualTo(Outcome.STORED_NOT_PROCESSED);
        assertThat(r.dimseStatus()).isEqualTo(DicomStatus.WARNING_DATA_SET_DOES_NOT_MATCH);
        assertThat(r.stowStatus()).isEqualTo(0xB007);
        assertThat(r.reasonCode()).isEqualTo("NO_PIXEL_SPACING");
    }

    @Test
    void undecodableCtIsRefusedAsAnUnsupportedTransferSyntax() throws Exception {
        IntakeResult r = accept(Files.readAllBytes(CORPUS.resolve("ct-transfer-syntax/CTImage_JPEGLSLosslessTransferSyntax_1.2.840.10008.1.2.4.80.dcm")), STOW);

        assertThat(r.outcome()).isEqualTo(Outcome.REFUSED);
        assertThat(r.reasonCode()).isEqualTo("UNSUPPORTED_TRANSFER_SYNTAX");
        assertThat(r.stowStatus()).isEqualTo(DicomStatus.TRANSFER_SYNTAX_NOT_SUPPORTED);
        assertThat(r.detail()).contains("JPEG-LS");
    }

    @Test
    void whatIsNotDicomOrCannotBeIdentifiedIsRefused() throws Exception {
        IntakeResult text = accept("this is not DICOM at all".repeat(10).getBytes(), STOW);
        IntakeResult noUids = accept(Files.readAllBytes(CORPUS.resolve("malformed/fodicom_GH223.dcm")), STOW);

        assertThat(text.reasonCode()).isEqualTo("NOT_DICOM");
        assertThat(text.dimseStatus()).isEqualTo(DicomStatus.CANNOT_UNDERSTAND);
        assertThat(noUids.reasonCode()).isEqualTo("MISSING_UID");
        assertThat(noUids.dimseStatus()).isEqualTo(DicomStatus.DATA_SET_DOES_NOT_MATCH);
        assertThat(noUids.detail()).contains("StudyInstanceUID");
        assertThat(letters).hasSize(2);
    }

    @Test
    void aDataSetThatIsNotWhatTheCStoreRequestAnnouncedIsRefused() throws Exception {
        IntakeResult r = accept(ct(new CtSliceWriter()), Source.dimse("PACS", "h", "1.2.840.10008.5.1.4.1.1.2", "9.9.9"));

        assertThat(r.reasonCode()).isEqualTo("UID_MISMATCH");
        assertThat(r.dimseStatus()).isEqualTo(DicomStatus.DATA_SET_DOES_NOT_MATCH);
    }

    @Test
    void aStorageFailureAnswersOutOfResourcesAndRecordsNothing() throws Exception {
        BlobStore failing = new BlobStore() {
            @Override
            public PutOutcome put(String key, byte[] content) throws IOException {
                throw new IOException("disk full");
            }

            @Override
            public PutOutcome put(String key, InputStream content) throws IOException {
                throw new IOException("disk full");
            }

            @Override
            public InputStream open(String key) throws IOException {
                throw new java.nio.file.NoSuchFileException(key);
            }

            @Override
            public boolean exists(String key) {
                return false;
            }

            @Override
            public long size(String key) throws IOException {
                throw new java.nio.file.NoSuchFileException(key);
            }

            @Override
            public void delete(String key) {
            }
        };

        IntakeResult r = intake(failing).accept(Spool.SpooledInstance.of(ct(new CtSliceWriter())), STOW);

        assertThat(r.dimseStatus()).isEqualTo(DicomStatus.OUT_OF_RESOURCES);
        assertThat(r.reasonCode()).isEqualTo("STORAGE_FAILED");
        assertThat(r.detail()).contains("disk full");
        assertThat(cases.size()).isZero();
        assertThat(letters).singleElement().satisfies(l -> assertThat(l.getReasonCode()).isEqualTo("STORAGE_FAILED"));
    }

    @Test
    void everyCorpusFileGetsAnAnswerAndNothingHalfWrittenStays() throws Exception {
        List<Path> files;
        try (var walk = Files.walk(CORPUS)) {
            files = walk.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().matches(".*\\.(md|tsv)")).sorted().toList();
        }
        Map<String, String> outcomes = new TreeMap<>();
        for (Path f : files) {
            IntakeResult r = accept(Files.readAllBytes(f), STOW);
            assertThat(r.dimseStatus() == 0 || r.reasonCode() != null).as(f.toString()).isTrue();
            if (r.outcome() != Outcome.PROCESSABLE) {
                assertThat(r.detail()).as(f.toString()).isNotBlank();
            }
            outcomes.put(CORPUS.relativize(f).toString(), (r.outcome() == null ? "FAILED" : r.outcome()) + " " + DicomStatus.hex(r.dimseStatus())
                    + (r.reasonCode() == null ? "" : " " + r.reasonCode()));
        }
        outcomes.forEach((f, o) -> System.out.println(o + "  " + f));
        assertThat(outcomes.get("ct-transfer-syntax/CTImage_LittleEndianExplicitTransferSyntax_1.2.840.10008.1.2.1.dcm")).startsWith("PROCESSABLE");
        assertThat(outcomes.get("ct-vendors/PHILIPS_IngenuityCT_JPEGLossless.dcm")).startsWith("PROCESSABLE");
        assertThat(outcomes.get("ct-vendors/GE_RHAPSODE_CT1_J2KR.dcm")).startsWith("PROCESSABLE");
        assertThat(outcomes.get("result-objects/pydicom_rtstruct.dcm")).contains("NOT_DICOM");
        assertThat(outcomes.get("malformed/fodicom_GH179A.dcm")).contains("MALFORMED_DICOM");
        assertThat(outcomes.get("abdomen/SEG_liver_dcmqi.dcm")).contains("NOT_CT");
        try (var incoming = Files.list(blobs.root().resolve(".incoming"))) {
            assertThat(incoming).as("no temporary blob left").isEmpty();
        }
    }
}

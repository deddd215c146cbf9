package org.lilnet.dicom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PixelDataCheckTest {

    static final Path CORPUS = CtSliceReaderTest.CORPUS;
    static final String GE_SLICE = CtSliceReaderTest.GE_SLICE;

    /** What ingest does: walk the structure first, read the header only if whole, decode if asked. */
    static void check(byte[] bytes, boolean decode) throws Exception {
        DicomStructure.Result structure = DicomStructure.scan(new ByteArrayInputStream(bytes));
        if (!structure.complete()) {
            PixelDataCheck.checkStructure(structure, null);
        }
        DicomHeader header = DicomHeaderReader.read(new ByteArrayInputStream(bytes));
        PixelDataCheck.checkStructure(structure, header);
        if (decode) {
            PixelDataCheck.checkDecodes(new ByteArrayInputStream(bytes), header);
        }
    }

    static byte[] slice(String name, String uid) throws Exception {
        return Files.readAllBytes(CORPUS.resolve(GE_SLICE.formatted(name, uid)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"LittleEndianExplicit:1.2.840.10008.1.2.1", "LittleEndianImplicit:1.2.840.10008.1.2",
            "BigEndianExplicit:1.2.840.10008.1.2.2", "DeflatedExplicitVRLittleEndian:1.2.840.10008.1.2.1.99",
            "RLELossless:1.2.840.10008.1.2.5", "JPEGProcess14SV1:1.2.840.10008.1.2.4.70", "JPEGProcess14:1.2.840.10008.1.2.4.57",
            "JPEG2000:1.2.840.10008.1.2.4.91", "JPEG2000LosslessOnly:1.2.840.10008.1.2.4.90", "JPEGProcess1:1.2.840.10008.1.2.4.50"})
    void completePixelDataPassesBothChecks(String variant) throws Exception {
        String[] p = variant.split(":");
        byte[] bytes = slice(p[0], p[1]);

        assertThatCode(() -> check(bytes, true)).doesNotThrowAnyException();
    }

    @ParameterizedTest
    @ValueSource(strings = {"LittleEndianExplicit:1.2.840.10008.1.2.1", "LittleEndianImplicit:1.2.840.10008.1.2",
            "BigEndianExplicit:1.2.840.10008.1.2.2", "DeflatedExplicitVRLittleEndian:1.2.840.10008.1.2.1.99",
            "RLELossless:1.2.840.10008.1.2.5", "JPEGProcess14SV1:1.2.840.10008.1.2.4.70",
            "JPEG2000LosslessOnly:1.2.840.10008.1.2.4.90", "JPEGLSLossless:1.2.840.10008.1.2.4.80"})
    void aFileCutInsideItsPixelDataIsRefusedByTheStructureWalk(String variant) throws Exception {
        String[] p = variant.split(":");
        byte[] whole = slice(p[0], p[1]);
        for (double keep : new double[] {0.5, 0.9, 0.999}) {
            byte[] cut = Arrays.copyOf(whole, (int) (whole.length * keep));
            DicomStructure.Result structure = DicomStructure.scan(new ByteArrayInputStream(cut));

            assertThat(structure.complete()).as(variant + " cut at " + keep).isFalse();
            assertThat(structure.problem()).contains("truncated");
            assertThatThrownBy(() -> check(cut, false)).isInstanceOfSatisfying(DicomFormatException.class,
                    e -> assertThat(e.reasonCode()).isEqualTo("PIXEL_DATA_TRUNCATED"));
        }
    }

    @Test
    void aFileCutInsideItsHeaderIsRefusedAsTruncated() throws Exception {
        byte[] whole = slice("LittleEndianExplicit", "1.2.840.10008.1.2.1");
        for (int keep : new int[] {140, 300, 701, 1500}) {
            byte[] cut = Arrays.copyOf(whole, keep);

            assertThatThrownBy(() -> check(cut, false)).as("cut at " + keep).isInstanceOfSatisfying(DicomFormatException.class,
                    e -> assertThat(e.reasonCode()).isIn("TRUNCATED", "NO_PIXEL_DATA"));
        }
    }

    @Test
    void undecodableCompressionPassesTheStructureButNotTheDecodeCheck() throws Exception {
        byte[] jpegLs = slice("JPEGLSLossless", "1.2.840.10008.1.2.4.80");

        assertThatCode(() -> check(jpegLs, false)).doesNotThrowAnyException();
        assertThatThrownBy(() -> check(jpegLs, true))
                .isInstanceOfSatisfying(DicomFormatException.class, e -> assertThat(e.reasonCode()).isEqualTo("UNSUPPORTED_TRANSFER_SYNTAX"));
    }

    @Test
    void aCorruptBitStreamIsFoundOnlyByDecoding() throws Exception {
        byte[] bytes = slice("JPEGProcess14SV1", "1.2.840.10008.1.2.4.70");
        byte[] corrupt = bytes.clone();
        // wipe the JPEG markers at the start of the code stream (SOI, then the tables), leaving every length intact
        int soi = Bytes.indexOf(corrupt, new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF});
        assertThat(soi).isPositive();
        Arrays.fill(corrupt, soi, soi + 64, (byte) 0);

        assertThatCode(() -> check(corrupt, false)).doesNotThrowAnyException();
        assertThatThrownBy(() -> check(corrupt, true))
                .isInstanceOfSatisfying(DicomFormatException.class, e -> assertThat(e.reasonCode()).isEqualTo("PIXEL_DATA_UNDECODABLE"));
    }

    @Test
    void brokenFilesOfTheCorpusAreRefusedWithAReason() throws Exception {
        for (String name : new String[] {"malformed/fodicom_GH179A.dcm", "malformed/fodicom_GH179B.dcm", "result-objects/pydicom_rtstruct.dcm"}) {
            DicomStructure.Result structure = DicomStructure.scan(Files.newInputStream(CORPUS.resolve(name)));

            assertThat(structure.complete()).as(name).isFalse();
            assertThat(structure.problem()).as(name).isNotBlank();
        }
    }

    @Test
    void anObjectWithoutPixelDataSaysSo() throws Exception {
        byte[] bytes = Files.readAllBytes(CORPUS.resolve("malformed/cornerstone_no-pixel-data.dcm"));

        assertThatThrownBy(() -> check(bytes, true))
                .isInstanceOfSatisfying(DicomFormatException.class, e -> assertThat(e.reasonCode()).isEqualTo("NO_PIXEL_DATA"));
    }
}

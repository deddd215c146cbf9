package org.lilnet.dicom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Reads real CT files of the shared corpus (referenced, not copied). */
class CtSliceReaderTest {

    static final Path CORPUS = Path.of(System.getProperty("lilnet.shared.dir", "../../shared"), "dicom-corpus").toAbsolutePath().normalize();
    static final String GE_SLICE = "ct-transfer-syntax/CTImage_%sTransferSyntax_%s.dcm";

    @Test
    void readsAnUncompressedSliceInHounsfieldUnits() throws Exception {
        CtSlice slice = CtSliceReader.read(CORPUS.resolve(GE_SLICE.formatted("LittleEndianExplicit", "1.2.840.10008.1.2.1")));

        assertThat(slice.rows()).isEqualTo(512);
        assertThat(slice.columns()).isEqualTo(512);
        assertThat(slice.pixelSpacingRowMm()).isPositive();
        assertThat(slice.sopInstanceUid()).isNotBlank();
        // air outside the patient at the corner, soft tissue around the centre of a chest CT
        assertThat(slice.hu(0, 0)).isLessThan(-900f);
        float min = Float.MAX_VALUE;
        float max = -Float.MAX_VALUE;
        for (float hu : slice.huPixels()) {
            min = Math.min(min, hu);
            max = Math.max(max, hu);
        }
        assertThat(min).isGreaterThanOrEqualTo(-3072f);
        assertThat(max).isBetween(300f, 4000f);
    }

    @ParameterizedTest
    @ValueSource(strings = {"LittleEndianImplicit:1.2.840.10008.1.2", "BigEndianExplicit:1.2.840.10008.1.2.2",
            "DeflatedExplicitVRLittleEndian:1.2.840.10008.1.2.1.99", "RLELossless:1.2.840.10008.1.2.5",
            "JPEGProcess14SV1:1.2.840.10008.1.2.4.70", "JPEGProcess14:1.2.840.10008.1.2.4.57",
            "JPEG2000LosslessOnly:1.2.840.10008.1.2.4.90"})
    void losslessTransferSyntaxesDecodeToTheSamePixels(String variant) throws Exception {
        String[] parts = variant.split(":");
        CtSlice reference = CtSliceReader.read(CORPUS.resolve(GE_SLICE.formatted("LittleEndianExplicit", "1.2.840.10008.1.2.1")));
        CtSlice decoded = CtSliceReader.read(CORPUS.resolve(GE_SLICE.formatted(parts[0], parts[1])));

        // Arrays.equals: AssertJ's containsExactly on 262,144 values takes seconds per comparison
        assertThat(Arrays.equals(decoded.huPixels(), reference.huPixels())).as("same HU in every pixel").isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"JPEGProcess1:1.2.840.10008.1.2.4.50:20", "JPEG2000:1.2.840.10008.1.2.4.91:20"})
    void lossyTransferSyntaxesDecodeWithinATolerance(String variant) throws Exception {
        String[] parts = variant.split(":");
        float[] reference = CtSliceReader.read(CORPUS.resolve(GE_SLICE.formatted("LittleEndianExplicit", "1.2.840.10008.1.2.1"))).huPixels();
        float[] decoded = CtSliceReader.read(CORPUS.resolve(GE_SLICE.formatted(parts[0], parts[1]))).huPixels();

        double sumAbs = 0;
        for (int i = 0; i < reference.length; i++) {
            sumAbs += Math.abs(decoded[i] - reference[i]);
        }
        assertThat(decoded).hasSameSizeAs(reference);
        assertThat(sumAbs / reference.length).as("mean absolute HU difference").isLessThan(Double.parseDouble(parts[2]));
    }

    @ParameterizedTest
    @ValueSource(strings = {"JPEGLSLossless:1.2.840.10008.1.2.4.80", "JPEGLSLossy:1.2.840.10008.1.2.4.81",
            "JPEGProcess2_4:1.2.840.10008.1.2.4.51", "JPEGProcess10_12:1.2.840.10008.1.2.4.55"})
    void undecodableTransferSyntaxesAreRefusedAsUnsupported(String variant) {
        String[] parts = variant.split(":");
        assertThatThrownBy(() -> CtSliceReader.read(CORPUS.resolve(GE_SLICE.formatted(parts[0], parts[1]))))
                .isInstanceOfSatisfying(DicomFormatException.class, e -> assertThat(e.reasonCode()).isEqualTo("UNSUPPORTED_TRANSFER_SYNTAX"))
                .hasMessageContaining(parts[1]);
    }

    @Test
    void truncatedPixelDataIsRefusedAsUnreadableNotAsMissing() throws Exception {
        byte[] whole = Files.readAllBytes(CORPUS.resolve(GE_SLICE.formatted("LittleEndianExplicit", "1.2.840.10008.1.2.1")));
        byte[] cut = Arrays.copyOf(whole, whole.length * 3 / 4);

        assertThatThrownBy(() -> CtSliceReader.read(new ByteArrayInputStream(cut)))
                .isInstanceOfSatisfying(DicomFormatException.class, e -> assertThat(e.reasonCode()).isEqualTo("PIXEL_DATA_UNREADABLE"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"LittleEndianExplicit:1.2.840.10008.1.2.1", "LittleEndianImplicit:1.2.840.10008.1.2",
            "BigEndianExplicit:1.2.840.10008.1.2.2", "RLELossless:1.2.840.10008.1.2.5", "JPEGProcess1:1.2.840.10008.1.2.4.50"})
    void aFileInMemoryReadsAsTheStreamDoes(String variant) throws Exception {
        String[] parts = variant.split(":");
        byte[] file = Files.readAllBytes(CORPUS.resolve(GE_SLICE.formatted(parts[0], parts[1])));

        assertSameSlice(CtSliceReader.read(file), CtSliceReader.read(new ByteArrayInputStream(file)));
    }

    @Test
    void onlyPlainLittleEndianPixelDataAtTheEndOfTheFileIsCopiedInBulk() throws Exception {
        byte[] explicit = Files.readAllBytes(CORPUS.resolve(GE_SLICE.formatted("LittleEndianExplicit", "1.2.840.10008.1.2.1")));
        byte[] implicit = Files.readAllBytes(CORPUS.resolve(GE_SLICE.formatted("LittleEndianImplicit", "1.2.840.10008.1.2")));
        byte[] bigEndian = Files.readAllBytes(CORPUS.resolve(GE_SLICE.formatted("BigEndianExplicit", "1.2.840.10008.1.2.2")));
        // DataSetTrailingPadding (FFFC,FFFC) OB of 4 bytes after the pixel data: legal, rare, and not the bulk path's layout
        byte[] padded = Arrays.copyOf(explicit, explicit.length + 16);
        byte[] padding = {(byte) 0xFC, (byte) 0xFF, (byte) 0xFC, (byte) 0xFF, 'O', 'B', 0, 0, 4, 0, 0, 0, 0, 0, 0, 0};
        System.arraycopy(padding, 0, padded, explicit.length, padding.length);

        assertThat(CtSliceReader.trailingPixels(header(explicit), ByteBuffer.wrap(explicit), PixelArrays.NONE)).isNotNull();
        assertThat(CtSliceReader.trailingPixels(header(implicit), ByteBuffer.wrap(implicit), PixelArrays.NONE)).isNotNull();
        assertThat(CtSliceReader.trailingPixels(header(bigEndian), ByteBuffer.wrap(bigEndian), PixelArrays.NONE)).as("big endian").isNull();
        assertThat(CtSliceReader.trailingPixels(header(padded), ByteBuffer.wrap(padded), PixelArrays.NONE)).as("an element after the pixel data").isNull();
        // the files the bulk path refuses still read, through PixelMed, to the same slice
        assertSameSlice(CtSliceReader.read(padded), CtSliceReader.read(new ByteArrayInputStream(explicit)));
        assertSameSlice(CtSliceReader.read(bigEndian), CtSliceReader.read(explicit));
    }

    @ParameterizedTest
    @ValueSource(strings = {"LittleEndianExplicit:1.2.840.10008.1.2.1", "BigEndianExplicit:1.2.840.10008.1.2.2", "RLELossless:1.2.840.10008.1.2.5"})
    void aFileInADirectBufferReadsAsTheArrayDoesIntoASpareArrayWhenThereIsOne(String variant) throws Exception {
        String[] parts = variant.split(":");
        byte[] file = Files.readAllBytes(CORPUS.resolve(GE_SLICE.formatted(parts[0], parts[1])));
        // the file in the middle of a larger direct buffer, as a worker's reused read buffer holds it
        ByteBuffer buffer = ByteBuffer.allocateDirect(file.length + 300);
        buffer.position(100);
        buffer.put(file).put(new byte[200]);
        buffer.position(100).limit(100 + file.length);
        PixelArrays arrays = new PixelArrays(4);
        CtSlice reference = CtSliceReader.read(file);
        short[] spare = new short[reference.stored().length];
        Arrays.fill(spare, (short) 4321);
        arrays.giveBack(spare);

        CtSlice slice = CtSliceReader.read(buffer, arrays);

        assertSameSlice(slice, reference);
        assertThat(buffer.position()).as("the buffer is not changed").isEqualTo(100);
        assertThat(buffer.limit()).isEqualTo(100 + file.length);
        if (parts[0].startsWith("Little")) {
            assertThat(slice.stored()).as("the bulk path fills the spare array").isSameAs(spare);
            assertThat(arrays.spares()).isZero();
        } else {
            assertThat(slice.stored()).as("PixelMed's path makes its own").isNotSameAs(spare);
            assertThat(arrays.spares()).isEqualTo(1);
        }
    }

    @Test
    void aTruncatedFileInMemoryIsRefusedWithTheStreamsReason() throws Exception {
        byte[] whole = Files.readAllBytes(CORPUS.resolve(GE_SLICE.formatted("LittleEndianExplicit", "1.2.840.10008.1.2.1")));
        byte[] cut = Arrays.copyOf(whole, whole.length - 2);

        assertThatThrownBy(() -> CtSliceReader.read(cut))
                .isInstanceOfSatisfying(DicomFormatException.class, e -> assertThat(e.reasonCode()).isEqualTo("PIXEL_DATA_UNREADABLE"));
    }

    private static com.pixelmed.dicom.AttributeList header(byte[] file) throws Exception {
        com.pixelmed.dicom.AttributeList list = new com.pixelmed.dicom.AttributeList();
        list.read(new com.pixelmed.dicom.DicomInputStream(new ByteArrayInputStream(file)), new DicomHeaderReader.PixelDataSeen(list, true));
        return list;
    }

    private static void assertSameSlice(CtSlice actual, CtSlice expected) {
        assertThat(actual).usingRecursiveComparison().ignoringFields("stored", "geometry").isEqualTo(expected);
        assertThat(actual.geometry().positionAlongNormal()).isEqualTo(expected.geometry().positionAlongNormal());
        assertThat(Arrays.equals(actual.stored(), expected.stored())).as("same stored values").isTrue();
    }

    @Test
    void aNonCtObjectIsRefusedAsNotCt() {
        assertThatThrownBy(() -> CtSliceReader.read(CORPUS.resolve("abdomen/SIEMENS_Avanto_MR_abdomen_overlays.dcm")))
                .isInstanceOfSatisfying(DicomFormatException.class, e -> assertThat(e.reasonCode()).isEqualTo("NOT_CT"))
                .hasMessageContaining("MR");
    }

    @Test
    void slicesAreOrderedAlongTheirNormal() {
        SliceGeometry axialHigh = new SliceGeometry(new double[] {-200, -200, 50}, new double[] {1, 0, 0, 0, 1, 0});
        SliceGeometry axialLow = new SliceGeometry(new double[] {-180, -210, -25}, new double[] {1, 0, 0, 0, 1, 0});
        SliceGeometry tilted = new SliceGeometry(new double[] {0, 0, 10}, new double[] {1, 0, 0, 0, Math.cos(0.2), -Math.sin(0.2)});

        assertThat(axialHigh.positionAlongNormal()).isEqualTo(50.0);
        assertThat(axialLow.positionAlongNormal()).isEqualTo(-25.0);
        assertThat(tilted.normal()[2]).isCloseTo(Math.cos(0.2), org.assertj.core.api.Assertions.within(1e-12));
    }
}

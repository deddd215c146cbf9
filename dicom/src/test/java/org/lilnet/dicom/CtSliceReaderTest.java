package org.lilnet.dicom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;

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

        assertThat(decoded.huPixels()).containsExactly(reference.huPixels());
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

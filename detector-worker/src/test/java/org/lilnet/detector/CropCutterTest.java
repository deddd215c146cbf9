package org.lilnet.detector;

import org.junit.jupiter.api.Test;
import org.lilnet.dicom.CtSlice;
import org.lilnet.dicom.SliceGeometry;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The 224x224 classifier crop: centred on the box, black outside the slice, large boxes whole and resized. */
class CropCutterTest {

    /** A 512x512 slice whose pixel (r, c) is (7r + 3c) mod 256. */
    private static GreyImage pattern() {
        byte[] p = new byte[512 * 512];
        for (int r = 0; r < 512; r++) {
            for (int c = 0; c < 512; c++) {
                p[r * 512 + c] = (byte) ((7 * r + 3 * c) % 256);
            }
        }
        return new GreyImage(512, 512, p);
    }

    /** A window that renders stored values 0..255 (rescale 1, 0) to the same bytes. */
    private static final HuWindow IDENTITY = new HuWindow(127.5, 255);

    /** A CT slice whose stored values are the image's bytes. */
    private static CtSlice storedOf(GreyImage image) {
        short[] stored = new short[image.pixels().length];
        for (int i = 0; i < stored.length; i++) {
            stored[i] = (short) (image.pixels()[i] & 0xFF);
        }
        return new CtSlice("st", "se", "sop", image.rows(), image.columns(), 0.7, 0.7, SliceGeometry.UNKNOWN, 1, 0, false, stored);
    }

    /** The crop of an 8-bit image: cut from a slice that renders to it. */
    private static GreyImage cut(GreyImage image, LesionBox box) {
        return CropCutter.cut(storedOf(image), IDENTITY, box);
    }

    @Test
    void theIdentityWindowRendersStoredValuesToThemselves() {
        GreyImage slice = pattern();
        assertThat(SliceRenderer.render(storedOf(slice), IDENTITY).pixels()).isEqualTo(slice.pixels());
    }

    @Test
    void aSmallBoxGetsThe224RegionCentredOnIt() {
        GreyImage slice = pattern();
        // centre (120, 110): region columns 8..231, rows -2..221
        GreyImage crop = cut(slice, new LesionBox(100, 100, 140, 120));

        assertThat(crop.rows()).isEqualTo(224);
        assertThat(crop.columns()).isEqualTo(224);
        assertThat(crop.at(0, 0)).isZero();
        assertThat(crop.at(1, 223)).as("rows above the slice are black").isZero();
        assertThat(crop.at(2, 0)).isEqualTo(slice.at(0, 8));
        assertThat(crop.at(223, 223)).isEqualTo(slice.at(221, 231));
        assertThat(crop.at(112, 112)).as("the box centre is the crop centre").isEqualTo(slice.at(110, 120));
    }

    @Test
    void atTheSliceBorderTheRegionIsClampedAndPaddedBlack() {
        GreyImage slice = pattern();
        // centre (505, 505): region 393..616 in both directions, slice ends at 511
        GreyImage crop = cut(slice, new LesionBox(500, 500, 510, 510));

        assertThat(crop.at(0, 0)).isEqualTo(slice.at(393, 393));
        assertThat(crop.at(118, 118)).isEqualTo(slice.at(511, 511));
        assertThat(crop.at(119, 0)).isZero();
        assertThat(crop.at(0, 119)).isZero();
        assertThat(crop.at(223, 223)).isZero();
    }

    @Test
    void aFractionalCentreRoundsTheCornerHalfUp() {
        GreyImage slice = pattern();
        // centre 15.2: corner 15.2 - 112 = -96.8 -> -97
        GreyImage crop = cut(slice, new LesionBox(10.2f, 10.2f, 20.2f, 20.2f));
        assertThat(crop.at(96, 96)).isZero();
        assertThat(crop.at(97, 97)).isEqualTo(slice.at(0, 0));
        assertThat(crop.at(97, 100)).isEqualTo(slice.at(0, 3));
    }

    @Test
    void aBoxOfExactly224IsCutWithoutResizing() {
        GreyImage slice = pattern();
        GreyImage crop = cut(slice, new LesionBox(0, 0, 224, 224));
        assertThat(crop.at(0, 0)).isEqualTo(slice.at(0, 0));
        assertThat(crop.at(223, 100)).isEqualTo(slice.at(223, 100));
    }

    @Test
    void aLargerBoxIsCroppedWholeAsAPaddedSquareAndResized() {
        byte[] uniform = new byte[512 * 512];
        java.util.Arrays.fill(uniform, (byte) 200);
        GreyImage slice = new GreyImage(512, 512, uniform);
        // 300 x 200 box: a 300 square centred on (150, 100) spans rows -50..249, so its top 50 rows are black.
        // Output row r samples source row (r + 0.5) * 300/224 - 0.5: row 36 -> 48.38 (black), row 37 -> 49.72
        // (0.72 of the way into the first grey row: 144.6 -> 145), row 38 -> 51.06 (grey).
        GreyImage crop = cut(slice, new LesionBox(0, 0, 300, 200));

        assertThat(crop.rows()).isEqualTo(224);
        for (int c : new int[] {0, 100, 223}) {
            assertThat(crop.at(36, c)).isZero();
            assertThat(crop.at(37, c)).isEqualTo(145);
            assertThat(crop.at(38, c)).isEqualTo(200);
            assertThat(crop.at(223, c)).isEqualTo(200);
        }
    }

    @Test
    void aCropCutFromTheStoredValuesIsTheCropOfTheRenderedSlice() {
        // stored values spread over the window and beyond it, signed, with a rescale: windowed only where the crop is
        short[] stored = new short[300 * 400];
        for (int i = 0; i < stored.length; i++) {
            stored[i] = (short) ((i * 37) % 1400 - 500);
        }
        CtSlice slice = new CtSlice("st", "se", "sop", 300, 400, 0.7, 0.7, SliceGeometry.UNKNOWN, 1.5, -100, true, stored);
        GreyImage rendered = SliceRenderer.render(slice, HuWindow.ABDOMEN);
        List<LesionBox> boxes = List.of(
                new LesionBox(150, 120, 190, 160),    // inside
                new LesionBox(0, 0, 12, 9),           // top-left corner: padded above and left
                new LesionBox(380, 280, 399, 299),    // bottom-right corner
                new LesionBox(10, 20, 390, 290),      // larger than 224: whole, padded square, resized
                new LesionBox(-30, 100, 20, 140));    // partly outside the slice
        for (LesionBox box : boxes) {
            assertThat(CropCutter.cut(slice, HuWindow.ABDOMEN, box).pixels()).as("%s", box)
                    .isEqualTo(cut(rendered, box).pixels());
        }
    }
}

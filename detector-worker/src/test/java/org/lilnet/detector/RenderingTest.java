package org.lilnet.detector;

import org.junit.jupiter.api.Test;
import org.lilnet.dicom.CtSlice;
import org.lilnet.dicom.SliceGeometry;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Windowing, rendering and resizing, against values worked out by hand. */
class RenderingTest {

    @Test
    void theAbdominalWindowMapsMinus160To240HuOntoTheEightBits() {
        HuWindow w = HuWindow.ABDOMEN;   // level 40, width 400: -160 .. 240 HU
        assertThat(w.toByte(-1000)).isZero();
        assertThat(w.toByte(-160)).isZero();
        assertThat(w.toByte(-159.3)).as("0.7/400*255 = 0.446").isZero();
        assertThat(w.toByte(-159.2)).as("0.8/400*255 = 0.51").isEqualTo(1);
        assertThat(w.toByte(40)).as("127.5 rounds half up").isEqualTo(128);
        assertThat(w.toByte(100)).as("260/400*255 = 165.75").isEqualTo(166);
        assertThat(w.toByte(240)).isEqualTo(255);
        assertThat(w.toByte(3000)).isEqualTo(255);
        assertThat(new HuWindow(0, 100).toByte(10)).as("60/100*255 = 153").isEqualTo(153);
        assertThatThrownBy(() -> new HuWindow(40, 0)).hasMessageContaining("positive");
        assertThat(w.toEvent().getLevel()).isEqualTo(40.0);
        assertThat(w.toEvent().getWidth()).isEqualTo(400.0);
    }

    @Test
    void rendersHounsfieldUnitsFromTheRescale() {
        // stored 0, 1024, 1224, 2000 with slope 1, intercept -1024: HU -1024, 0, 200, 976
        short[] stored = {0, 1024, 1224, 2000};
        CtSlice slice = new CtSlice("st", "se", "sop", 2, 2, 0.7, 0.7, SliceGeometry.UNKNOWN, 1, -1024, false, stored);
        GreyImage image = SliceRenderer.render(slice, HuWindow.ABDOMEN);
        assertThat(new int[] {image.at(0, 0), image.at(0, 1), image.at(1, 0), image.at(1, 1)})
                .containsExactly(0, 102, 230, 255);    // 160/400*255 = 102; 360/400*255 = 229.5 -> 230
        // slope 2, intercept -1000: stored 520 -> 40 HU -> 128
        CtSlice scaled = new CtSlice("st", "se", "sop", 1, 1, 1, 1, SliceGeometry.UNKNOWN, 2, -1000, false, new short[] {520});
        assertThat(SliceRenderer.render(scaled, HuWindow.ABDOMEN).at(0, 0)).isEqualTo(128);
        // signed storage (PixelRepresentation 1): stored -1000 with intercept 0 is -1000 HU, stored 40 is 40 HU
        CtSlice signed = new CtSlice("st", "se", "sop", 1, 3, 1, 1, SliceGeometry.UNKNOWN, 1, 0, true, new short[] {-1000, 40, 240});
        GreyImage s = SliceRenderer.render(signed, HuWindow.ABDOMEN);
        assertThat(new int[] {s.at(0, 0), s.at(0, 1), s.at(0, 2)}).containsExactly(0, 128, 255);
    }

    @Test
    void slicesOfDifferentRescalesAndWindowsEachGetTheirOwnTable() {
        // the tables are kept between slices: alternating rescales and windows must not reuse another's table
        CtSlice a = new CtSlice("st", "se", "a", 1, 1, 1, 1, SliceGeometry.UNKNOWN, 1, -1024, false, new short[] {1064});   // 40 HU
        CtSlice b = new CtSlice("st", "se", "b", 1, 1, 1, 1, SliceGeometry.UNKNOWN, 1, -1000, false, new short[] {1064});   // 64 HU
        HuWindow narrow = new HuWindow(40, 100);   // -10 .. 90 HU
        for (int round = 0; round < 3; round++) {
            assertThat(SliceRenderer.render(a, HuWindow.ABDOMEN).at(0, 0)).isEqualTo(128);
            assertThat(SliceRenderer.render(b, HuWindow.ABDOMEN).at(0, 0)).as("224/400*255 = 142.8").isEqualTo(143);
            assertThat(SliceRenderer.render(a, narrow).at(0, 0)).as("50/100*255 = 127.5").isEqualTo(128);
            assertThat(SliceRenderer.render(b, narrow).at(0, 0)).as("74/100*255 = 188.7").isEqualTo(189);
        }
    }

    @Test
    void resizeAlignsPixelCentresLikeOpenCvInterLinear() {
        GreyImage src = new GreyImage(2, 2, bytes(0, 100, 200, 255));
        GreyImage up = PlainResize.resize(src, 4, 4);
        // columns sample x = -0.25 (clamped to 0), 0.25, 0.75, 1.25 (clamped to 1); rows likewise
        // row y=0: 0, 25, 75, 100; row y=1: 200, 213.75, 241.25, 255
        assertThat(row(up, 0)).containsExactly(0, 25, 75, 100);
        assertThat(row(up, 1)).as("y = 0.25: 50, 72.19, 116.56, 138.75").containsExactly(50, 72, 117, 139);
        assertThat(row(up, 2)).as("y = 0.75: 150, 166.56, 199.69, 216.25").containsExactly(150, 167, 200, 216);
        assertThat(row(up, 3)).containsExactly(200, 214, 241, 255);
    }

    @Test
    void halvingAveragesPairsAndSameSizeIsTheIdentity() {
        GreyImage src = new GreyImage(2, 4, bytes(0, 10, 20, 31, 100, 110, 120, 130));
        GreyImage half = PlainResize.resize(src, 1, 2);
        // x = 0.5 and 2.5, y = 0.5: (0+10+100+110)/4 = 55, (20+31+120+130)/4 = 75.25
        assertThat(row(half, 0)).containsExactly(55, 75);
        assertThat(PlainResize.resize(src, 2, 4)).isSameAs(src);
    }

    @Test
    void detectorInputIsTheImageOverTwoHundredFiftyFiveOnThreeChannels() {
        GreyImage image = new GreyImage(1, 2, bytes(0, 255));
        FloatBuffer batch = ByteBuffer.allocateDirect(2 * 3 * 2 * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
        DetectorInput.write(new GreyImage(1, 2, bytes(51, 102)), batch, 1);
        DetectorInput.write(image, batch, 0);
        float[] all = new float[12];
        batch.get(0, all);
        assertThat(all).containsExactly(0f, 1f, 0f, 1f, 0f, 1f, 0.2f, 0.4f, 0.2f, 0.4f, 0.2f, 0.4f);
    }

    @Test
    void aSliceIsWrittenFromItsStoredValuesExactlyAsRenderingItFirstWould() {
        // every stored value once (unsigned and signed storage, two rescales), at the model's size: the one-table path
        java.util.List<CtSlice> slices = java.util.List.of(
                slice(256, 256, 1, -1024, false, raw -> (short) raw),
                slice(256, 256, 1, 0, true, raw -> (short) raw),
                slice(256, 256, 0.5, -600, false, raw -> (short) raw));
        for (CtSlice slice : slices) {
            assertThat(writtenFromSlice(slice, 256)).as("slope %s, signed %s", slice.rescaleSlope(), slice.signed())
                    .isEqualTo(writtenFromRendering(slice, 256));
        }
        // a slice of another size is rendered, resized and written as before
        CtSlice small = slice(100, 60, 1, -1024, false, raw -> (short) (900 + raw % 500));
        assertThat(writtenFromSlice(small, 128)).isEqualTo(writtenFromRendering(small, 128));
    }

    private static CtSlice slice(int rows, int columns, double slope, double intercept, boolean signed,
                                 java.util.function.IntUnaryOperator stored) {
        short[] values = new short[rows * columns];
        for (int i = 0; i < values.length; i++) {
            values[i] = (short) stored.applyAsInt(i);
        }
        return new CtSlice("st", "se", "sop", rows, columns, 0.7, 0.7, SliceGeometry.UNKNOWN, slope, intercept, signed, values);
    }

    private static float[] writtenFromSlice(CtSlice slice, int size) {
        FloatBuffer batch = ByteBuffer.allocateDirect(2 * 3 * size * size * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
        DetectorInput.write(slice, HuWindow.ABDOMEN, size, batch, 1);
        float[] out = new float[3 * size * size];
        batch.get(3 * size * size, out);
        return out;
    }

    private static float[] writtenFromRendering(CtSlice slice, int size) {
        FloatBuffer batch = ByteBuffer.allocateDirect(3 * size * size * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
        DetectorInput.write(PlainResize.resize(SliceRenderer.render(slice, HuWindow.ABDOMEN), size, size), batch, 0);
        float[] out = new float[3 * size * size];
        batch.get(0, out);
        return out;
    }

    static byte[] bytes(int... values) {
        byte[] out = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (byte) values[i];
        }
        return out;
    }

    static int[] row(GreyImage image, int r) {
        int[] out = new int[image.columns()];
        for (int c = 0; c < out.length; c++) {
            out[c] = image.at(r, c);
        }
        return out;
    }
}

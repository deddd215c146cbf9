package org.lilnet.detector;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Decoding the YOLOv8 layout and NMS on constructed tensors. */
class YoloDecoderTest {

    /** Output of {@code images} images, {@code 4 + classes} rows of {@code anchors}; set(image, anchor, cx, cy, w, h, scores...). */
    private static final class Tensor {
        final int classes;
        final int anchors;
        final float[] values;

        Tensor(int images, int classes, int anchors) {
            this.classes = classes;
            this.anchors = anchors;
            this.values = new float[images * (4 + classes) * anchors];
        }

        Tensor set(int image, int anchor, float cx, float cy, float w, float h, float... scores) {
            int base = image * (4 + classes) * anchors;
            float[] rows = new float[4 + classes];
            rows[0] = cx;
            rows[1] = cy;
            rows[2] = w;
            rows[3] = h;
            System.arraycopy(scores, 0, rows, 4, classes);
            for (int r = 0; r < rows.length; r++) {
                values[base + r * anchors + anchor] = rows[r];
            }
            return this;
        }
    }

    @Test
    void keepsScoresFromAQuarterAndSuppressesOverlapsAboveOneHalf() {
        Tensor t = new Tensor(2, 1, 6)
                .set(1, 0, 100, 100, 20, 20, 0.9f)
                .set(1, 1, 104, 100, 20, 20, 0.8f)    // IoU with anchor 0: 320 / 480 = 0.67 -> suppressed
                .set(1, 2, 110, 100, 20, 20, 0.7f)    // IoU with anchor 0: 200 / 600 = 0.33 -> kept
                .set(1, 3, 300, 300, 40, 40, 0.25f)   // exactly the threshold -> kept
                .set(1, 4, 300, 300, 40, 40, 0.2499f) // below -> dropped
                .set(1, 5, 50, 50, 10, 10, 0.1f);
        YoloDecoder decoder = new YoloDecoder(1, 6);

        assertThat(decoder.decode(t.values, 0)).as("image 0 is all zeros").isEmpty();
        assertThat(decoder.decode(t.values, 1)).containsExactly(
                new Detection(new LesionBox(90, 90, 110, 110), 0.9f, 0),
                new Detection(new LesionBox(100, 90, 120, 110), 0.7f, 0),
                new Detection(new LesionBox(280, 280, 320, 320), 0.25f, 0));
    }

    @Test
    void takesTheBestClassAndSuppressesAcrossClasses() {
        Tensor t = new Tensor(1, 2, 3)
                .set(0, 0, 50, 50, 10, 10, 0.1f, 0.6f)
                .set(0, 1, 51, 50, 10, 10, 0.3f, 0.2f)   // other class, IoU 90/110 = 0.82: class-agnostic NMS drops it
                .set(0, 2, 200, 200, 10, 10, 0.3f, 0.2f);
        assertThat(new YoloDecoder(2, 3).decode(t.values, 0)).containsExactly(
                new Detection(new LesionBox(45, 45, 55, 55), 0.6f, 1),
                new Detection(new LesionBox(195, 195, 205, 205), 0.3f, 0));
    }

    @Test
    void anIouOfExactlyOneHalfIsKept() {
        // the second box is the top half of the first: intersection 50, union 100
        List<Detection> kept = YoloDecoder.suppress(List.of(
                new Detection(new LesionBox(0, 0, 10, 10), 0.9f, 0),
                new Detection(new LesionBox(0, 0, 10, 5), 0.8f, 0)), 0.5f);   // IoU 50 / 100 = 0.5
        assertThat(kept).hasSize(2);
    }

    @Test
    void mapsBoxesBackToSlicePixelsAndClipsThem() {
        List<Detection> inInput = List.of(new Detection(new LesionBox(100, 100, 200, 300), 0.5f, 0),
                new Detection(new LesionBox(500, -10, 530, 20), 0.4f, 0));
        assertThat(YoloDecoder.toSlice(inInput, 512, 256, 1024)).extracting(Detection::box)
                .containsExactly(new LesionBox(200, 50, 400, 150), new LesionBox(1000, 0, 1024, 10));
        assertThat(YoloDecoder.toSlice(inInput, 512, 512, 512)).extracting(Detection::box)
                .containsExactly(new LesionBox(100, 100, 200, 300), new LesionBox(500, 0, 512, 20));
    }

    @Test
    void boxGeometry() {
        LesionBox a = LesionBox.fromCentre(10, 20, 4, 6);
        assertThat(a).isEqualTo(new LesionBox(8, 17, 12, 23));
        assertThat(a.area()).isEqualTo(24f);
        assertThat(a.iou(a)).isEqualTo(1f);
        assertThat(a.iou(new LesionBox(12, 17, 16, 23))).as("touching").isZero();
        assertThat(LesionBox.of(a.toEvent())).isEqualTo(a);
    }
}

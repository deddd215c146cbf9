package org.lilnet.detector;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Reads the detector's raw output in the YOLOv8 layout {@code [B, 4 + classes, anchors]}: per anchor the rows
 * cx, cy, w, h (input pixels) then one score per class, no objectness. Keeps anchors whose best class score is at
 * least the threshold (contract: 0.25), then class-agnostic non-maximum suppression (contract: IoU 0.5; a box is
 * dropped when its IoU with a higher-scoring kept box is above it), at most {@value #MAX_DETECTIONS} per image, best
 * first.
 */
public final class YoloDecoder {

    public static final float SCORE_THRESHOLD = 0.25f;
    public static final float NMS_IOU = 0.5f;
    /** Ultralytics' default cap per image. */
    public static final int MAX_DETECTIONS = 300;

    private final int classes;
    private final int anchors;
    private final float scoreThreshold;
    private final float nmsIou;

    public YoloDecoder(int classes, int anchors) {
        this(classes, anchors, SCORE_THRESHOLD, NMS_IOU);
    }

    public YoloDecoder(int classes, int anchors, float scoreThreshold, float nmsIou) {
        this.classes = classes;
        this.anchors = anchors;
        this.scoreThreshold = scoreThreshold;
        this.nmsIou = nmsIou;
    }

    /** Floats of one image's output. */
    public int imageOutputSize() {
        return (4 + classes) * anchors;
    }

    /** The detections of image {@code image} of a batch output, in input pixels. */
    public List<Detection> decode(float[] output, int image) {
        int base = image * imageOutputSize();
        List<Detection> candidates = new ArrayList<>();
        for (int a = 0; a < anchors; a++) {
            int best = 0;
            float score = output[base + 4 * anchors + a];
            for (int c = 1; c < classes; c++) {
                float s = output[base + (4 + c) * anchors + a];
                if (s > score) {
                    score = s;
                    best = c;
                }
            }
            if (score >= scoreThreshold) {
                candidates.add(new Detection(LesionBox.fromCentre(output[base + a], output[base + anchors + a],
                        output[base + 2 * anchors + a], output[base + 3 * anchors + a]), score, best));
            }
        }
        return suppress(candidates, nmsIou);
    }

    /** Class-agnostic NMS: best score first (ties keep anchor order); drops boxes overlapping a kept one by more than {@code iou}. */
    public static List<Detection> suppress(List<Detection> candidates, float iou) {
        List<Detection> sorted = new ArrayList<>(candidates);
        sorted.sort(Comparator.comparingDouble((Detection d) -> d.score()).reversed());
        List<Detection> kept = new ArrayList<>();
        for (Detection d : sorted) {
            boolean overlaps = false;
            for (Detection k : kept) {
                if (k.box().iou(d.box()) > iou) {
                    overlaps = true;
                    break;
                }
            }
            if (!overlaps) {
                kept.add(d);
                if (kept.size() == MAX_DETECTIONS) {
                    break;
                }
            }
        }
        return kept;
    }

    /** Detections in input pixels to slice pixels (plain resize: x by columns/inputSize, y by rows/inputSize), clipped to the slice. */
    public static List<Detection> toSlice(List<Detection> detections, int inputSize, int rows, int columns) {
        double sx = (double) columns / inputSize;
        double sy = (double) rows / inputSize;
        List<Detection> out = new ArrayList<>(detections.size());
        for (Detection d : detections) {
            out.add(new Detection(d.box().scaled(sx, sy).clipped(columns, rows), d.score(), d.classIndex()));
        }
        return out;
    }
}

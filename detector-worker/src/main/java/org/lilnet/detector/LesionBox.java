package org.lilnet.detector;

import org.lilnet.events.Box;

/**
 * An axis-aligned box, x = column, y = row, origin at the top-left corner of the top-left pixel (the event's
 * {@code Box} convention), in the pixels of whatever image it refers to (the 512 detector input or the slice).
 */
public record LesionBox(float x1, float y1, float x2, float y2) {

    /** From YOLO's centre, width and height. */
    public static LesionBox fromCentre(float cx, float cy, float w, float h) {
        return new LesionBox(cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2);
    }

    public float width() {
        return Math.max(0, x2 - x1);
    }

    public float height() {
        return Math.max(0, y2 - y1);
    }

    public float area() {
        return width() * height();
    }

    /** Intersection over union; 0 when either box is empty. */
    public float iou(LesionBox other) {
        float w = Math.min(x2, other.x2) - Math.max(x1, other.x1);
        float h = Math.min(y2, other.y2) - Math.max(y1, other.y1);
        if (w <= 0 || h <= 0) {
            return 0;
        }
        float intersection = w * h;
        float union = area() + other.area() - intersection;
        return union <= 0 ? 0 : intersection / union;
    }

    /** Scaled by (sx, sy): from the detector's 512 input back to slice pixels. */
    public LesionBox scaled(double sx, double sy) {
        return new LesionBox((float) (x1 * sx), (float) (y1 * sy), (float) (x2 * sx), (float) (y2 * sy));
    }

    /** Clipped to an image of {@code columns x rows}. */
    public LesionBox clipped(int columns, int rows) {
        return new LesionBox(clamp(x1, columns), clamp(y1, rows), clamp(x2, columns), clamp(y2, rows));
    }

    private static float clamp(float v, int max) {
        return Math.max(0, Math.min(max, v));
    }

    public Box toEvent() {
        return Box.newBuilder().setX1(x1).setY1(y1).setX2(x2).setY2(y2).build();
    }

    public static LesionBox of(Box box) {
        return new LesionBox(box.getX1(), box.getY1(), box.getX2(), box.getY2());
    }
}

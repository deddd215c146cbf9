package org.lilnet.aggregator.lesion;

/** An axis-aligned lesion box in slice pixels (x = column, y = row), as the detector reported it. */
public record LesionBox(double x1, double y1, double x2, double y2) {

    public LesionBox {
        if (!(x2 >= x1) || !(y2 >= y1)) {
            throw new IllegalArgumentException("not a box: (" + x1 + "," + y1 + ")-(" + x2 + "," + y2 + ")");
        }
    }

    public double width() {
        return x2 - x1;
    }

    public double height() {
        return y2 - y1;
    }

    public double area() {
        return width() * height();
    }

    public double intersectionArea(LesionBox other) {
        double w = Math.min(x2, other.x2) - Math.max(x1, other.x1);
        double h = Math.min(y2, other.y2) - Math.max(y1, other.y1);
        return w <= 0 || h <= 0 ? 0 : w * h;
    }

    /**
     * Intersection over the smaller box's area, 0..1. A lesion's section grows and shrinks from slice to slice;
     * this ratio stays 1 when a small section lies inside a larger one, where IoU would fall with the size ratio.
     */
    public double overlapOfSmaller(LesionBox other) {
        double smaller = Math.min(area(), other.area());
        return smaller <= 0 ? 0 : intersectionArea(other) / smaller;
    }
}

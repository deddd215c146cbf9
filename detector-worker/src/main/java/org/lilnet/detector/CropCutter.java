package org.lilnet.detector;

/**
 * The classifiers' input for a lesion (MODEL-CONTRACT.md, "ROI crop"): a 224x224 region of the rendered slice centred
 * on the box. The region is a square of side {@code max(224, ceil(longer box side))} whose top-left corner is the box
 * centre minus half the side, rounded half up to whole pixels; what lies outside the slice is black (the region is
 * clamped to the image, never shifted, so the lesion stays centred). A box longer than 224 is so cropped whole as a
 * padded square and resized to 224 with {@link PlainResize}.
 */
public final class CropCutter {

    public static final int SIZE = 224;

    private CropCutter() {
    }

    public static GreyImage cut(GreyImage slice, LesionBox box) {
        int side = Math.max(SIZE, (int) Math.ceil(Math.max(box.width(), box.height()) - 1e-4));
        double cx = (box.x1() + box.x2()) / 2.0;
        double cy = (box.y1() + box.y2()) / 2.0;
        int left = (int) Math.floor(cx - side / 2.0 + 0.5);
        int top = (int) Math.floor(cy - side / 2.0 + 0.5);
        byte[] region = new byte[side * side];
        int fromRow = Math.max(0, top);
        int toRow = Math.min(slice.rows(), top + side);
        int fromColumn = Math.max(0, left);
        int toColumn = Math.min(slice.columns(), left + side);
        for (int r = fromRow; r < toRow; r++) {
            if (toColumn > fromColumn) {
                System.arraycopy(slice.pixels(), r * slice.columns() + fromColumn, region, (r - top) * side + (fromColumn - left),
                        toColumn - fromColumn);
            }
        }
        GreyImage square = new GreyImage(side, side, region);
        return side == SIZE ? square : PlainResize.resize(square, SIZE, SIZE);
    }
}

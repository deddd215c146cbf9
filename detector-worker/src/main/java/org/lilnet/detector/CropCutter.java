package org.lilnet.detector;

import org.lilnet.dicom.CtSlice;

/**
 * The classifiers' input for a lesion (MODEL-CONTRACT.md, "ROI crop"): a 224x224 region of the rendered slice centred
 * on the box. The region is a square of side {@code max(224, ceil(longer box side))} whose top-left corner is the box
 * centre minus half the side, rounded half up to whole pixels; what lies outside the slice is black (the region is
 * clamped to the image, never shifted, so the lesion stays centred). A box longer than 224 is so cropped whole as a
 * padded square and resized to 224 with {@link PlainResize}. The region is cut straight from the slice's stored values
 * and windowed on the way ({@link SliceRenderer#render}'s values): only the crop's pixels are windowed, never the
 * whole slice.
 */
public final class CropCutter {

    public static final int SIZE = 224;

    private CropCutter() {
    }

    public static GreyImage cut(CtSlice slice, HuWindow window, LesionBox box) {
        int side = Math.max(SIZE, (int) Math.ceil(Math.max(box.width(), box.height()) - 1e-4));
        double cx = (box.x1() + box.x2()) / 2.0;
        double cy = (box.y1() + box.y2()) / 2.0;
        int left = (int) Math.floor(cx - side / 2.0 + 0.5);
        int top = (int) Math.floor(cy - side / 2.0 + 0.5);
        byte[] region = new byte[side * side];
        byte[] table = SliceRenderer.table(slice, window);
        short[] stored = slice.stored();
        int columns = slice.columns();
        int fromRow = Math.max(0, top);
        int toRow = Math.min(slice.rows(), top + side);
        int fromColumn = Math.max(0, left);
        int toColumn = Math.min(columns, left + side);
        for (int r = fromRow; r < toRow; r++) {
            int regionRow = (r - top) * side - left;
            for (int c = fromColumn; c < toColumn; c++) {
                region[regionRow + c] = table[stored[r * columns + c] & 0xFFFF];
            }
        }
        GreyImage square = new GreyImage(side, side, region);
        return side == SIZE ? square : PlainResize.resize(square, SIZE, SIZE);
    }
}

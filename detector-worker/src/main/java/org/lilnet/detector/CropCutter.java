package org.lilnet.detector;

import org.lilnet.dicom.CtSlice;

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
        return cut(slice.rows(), slice.columns(), box,
                (row, from, to, region, at) -> System.arraycopy(slice.pixels(), row * slice.columns() + from, region, at, to - from));
    }

    /**
     * The same crop cut straight from a CT slice's stored values, windowed on the way ({@link SliceRenderer#render}'s
     * values): only the crop's pixels are windowed, not the whole slice.
     */
    public static GreyImage cut(CtSlice slice, HuWindow window, LesionBox box) {
        byte[] table = SliceRenderer.table(slice, window);
        short[] stored = slice.stored();
        return cut(slice.rows(), slice.columns(), box, (row, from, to, region, at) -> {
            int start = row * slice.columns();
            for (int c = from; c < to; c++) {
                region[at + c - from] = table[stored[start + c] & 0xFFFF];
            }
        });
    }

    /** Writes columns {@code from} (inclusive) to {@code to} (exclusive) of a slice's row, rendered, at {@code region[at]}. */
    private interface RowCopy {
        void copy(int row, int from, int to, byte[] region, int at);
    }

    private static GreyImage cut(int rows, int columns, LesionBox box, RowCopy rowCopy) {
        int side = Math.max(SIZE, (int) Math.ceil(Math.max(box.width(), box.height()) - 1e-4));
        double cx = (box.x1() + box.x2()) / 2.0;
        double cy = (box.y1() + box.y2()) / 2.0;
        int left = (int) Math.floor(cx - side / 2.0 + 0.5);
        int top = (int) Math.floor(cy - side / 2.0 + 0.5);
        byte[] region = new byte[side * side];
        int fromRow = Math.max(0, top);
        int toRow = Math.min(rows, top + side);
        int fromColumn = Math.max(0, left);
        int toColumn = Math.min(columns, left + side);
        for (int r = fromRow; r < toRow; r++) {
            if (toColumn > fromColumn) {
                rowCopy.copy(r, fromColumn, toColumn, region, (r - top) * side + (fromColumn - left));
            }
        }
        GreyImage square = new GreyImage(side, side, region);
        return side == SIZE ? square : PlainResize.resize(square, SIZE, SIZE);
    }
}

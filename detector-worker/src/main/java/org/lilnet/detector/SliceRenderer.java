package org.lilnet.detector;

import org.lilnet.dicom.CtSlice;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A CT slice as the models see it: Hounsfield units (stored value x RescaleSlope + RescaleIntercept) through the
 * window. Stored values are 16-bit, so the window is applied once per possible value (a 64 Ki table) rather than once
 * per pixel: the same numbers, a quarter of the work on a 512x512 slice. The slices of a series share their rescale
 * and window, so the table is made once and kept (a few tables: one per rescale seen recently).
 */
public final class SliceRenderer {

    private record TableKey(double slope, double intercept, boolean signed, HuWindow window) {
        static TableKey of(CtSlice slice, HuWindow window) {
            return new TableKey(slice.rescaleSlope(), slice.rescaleIntercept(), slice.signed(), window);
        }
    }

    private record ValueTableKey(TableKey window, float[] scale) {
    }

    private static final int MAX_TABLES = 32;
    private static final Map<TableKey, byte[]> TABLES = new ConcurrentHashMap<>();
    private static final Map<ValueTableKey, float[]> VALUE_TABLES = new ConcurrentHashMap<>();

    private SliceRenderer() {
    }

    public static GreyImage render(CtSlice slice, HuWindow window) {
        byte[] table = table(slice, window);
        short[] stored = slice.stored();
        byte[] out = new byte[stored.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = table[stored[i] & 0xFFFF];
        }
        return new GreyImage(slice.rows(), slice.columns(), out);
    }

    /**
     * A model's input value of each stored value: the windowed byte through {@code scale} (256 entries, the model's
     * scaling), as one 64 Ki table. Writing a slice's input through it gives the values of rendering and then scaling,
     * without the 8-bit image in between. Kept like the byte tables ({@code scale} is a model's constant array).
     */
    public static float[] valueTable(CtSlice slice, HuWindow window, float[] scale) {
        ValueTableKey key = new ValueTableKey(TableKey.of(slice, window), scale);
        float[] values = VALUE_TABLES.get(key);
        if (values != null) {
            return values;
        }
        byte[] bytes = table(key.window());
        values = new float[bytes.length];
        for (int raw = 0; raw < values.length; raw++) {
            values[raw] = scale[bytes[raw] & 0xFF];
        }
        if (VALUE_TABLES.size() >= MAX_TABLES) {
            VALUE_TABLES.clear();
        }
        VALUE_TABLES.put(key, values);
        return values;
    }

    /** The window's byte of each stored value of the slice's rescale (64 Ki entries). */
    static byte[] table(CtSlice slice, HuWindow window) {
        return table(TableKey.of(slice, window));
    }

    private static byte[] table(TableKey key) {
        byte[] table = TABLES.get(key);
        if (table != null) {
            return table;
        }
        table = new byte[1 << 16];
        for (int raw = 0; raw < table.length; raw++) {
            int value = key.signed() ? (short) raw : raw;
            table[raw] = (byte) key.window().toByte(value * key.slope() + key.intercept());
        }
        if (TABLES.size() >= MAX_TABLES) {
            TABLES.clear();   // many different rescales: start over rather than grow
        }
        TABLES.put(key, table);
        return table;
    }
}

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
    }

    private static final int MAX_TABLES = 32;
    private static final Map<TableKey, byte[]> TABLES = new ConcurrentHashMap<>();

    private SliceRenderer() {
    }

    public static GreyImage render(CtSlice slice, HuWindow window) {
        byte[] table = table(new TableKey(slice.rescaleSlope(), slice.rescaleIntercept(), slice.signed(), window));
        short[] stored = slice.stored();
        byte[] out = new byte[stored.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = table[stored[i] & 0xFFFF];
        }
        return new GreyImage(slice.rows(), slice.columns(), out);
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

package org.lilnet.dicom;

import java.util.ArrayDeque;

/**
 * Spare arrays for slices' stored values, given back when a slice is done with and taken again for the next one. A
 * worker reads a few hundred 512x512 slices a second: a new 512 KB array for each is memory to zero, and, while the
 * slice waits for its batch and its transaction, an array the garbage collector copies (into the survivor space, then
 * into the old generation, which then fills and is collected whole). Arrays taken from here live long and are
 * reused instead. Only arrays of the length asked for are reused (slices of another size get new ones). Thread-safe.
 */
public final class PixelArrays {

    /** No spares: every array is new (for readers that keep their slices). */
    public static final PixelArrays NONE = new PixelArrays(0);

    private final int capacity;
    private final ArrayDeque<short[]> spare = new ArrayDeque<>();

    /** @param capacity how many spare arrays are kept at most (more given back are left to the garbage collector) */
    public PixelArrays(int capacity) {
        if (capacity < 0) {
            throw new IllegalArgumentException("capacity must be >= 0, not " + capacity);
        }
        this.capacity = capacity;
    }

    /** An array of {@code length} values: a spare one (holding an earlier slice's values) or a new one. */
    public short[] take(int length) {
        synchronized (spare) {
            short[] array = spare.peekLast();
            if (array != null && array.length == length) {
                return spare.pollLast();
            }
        }
        return new short[length];
    }

    /** Gives an array back; the caller must no longer use it (nor anything that shares it, such as its slice). */
    public void giveBack(short[] array) {
        synchronized (spare) {
            if (array != null && spare.size() < capacity) {
                spare.addLast(array);
            }
        }
    }

    /** Spare arrays held now. */
    public int spares() {
        synchronized (spare) {
            return spare.size();
        }
    }
}

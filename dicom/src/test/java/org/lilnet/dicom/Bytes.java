package org.lilnet.dicom;

/** Byte-array helpers for the tests that look inside encoded DICOM. */
final class Bytes {

    private Bytes() {
    }

    /** The first position of {@code needle} in {@code haystack}, or -1. */
    static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}

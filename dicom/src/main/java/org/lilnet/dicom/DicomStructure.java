package org.lilnet.dicom;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;

/**
 * Walks a DICOM Part 10 stream element by element, without interpreting values, and says whether it is complete:
 * every element's value is there, every sequence, item and fragment list is closed, and the stream ends on an
 * element boundary. PixelMed reads a file that breaks off in the middle without failing (it logs and keeps what it
 * got); this walk is how we refuse truncated files instead of storing half an image. It also describes the pixel data
 * element: present or not, its length, or for compressed pixel data its fragments.
 *
 * <p>It reads each byte once and keeps none, so it costs about what reading the file costs.
 */
public final class DicomStructure {

    /**
     * The outcome of a walk.
     *
     * @param complete          the stream is a whole DICOM object
     * @param problem           why it is not (null when complete)
     * @param transferSyntaxUid from the meta information
     * @param pixelDataPresent  a top-level PixelData (7FE0,0010) element was met
     * @param pixelDataLength   its value length in bytes, -1 when encapsulated (undefined length)
     * @param fragments         for encapsulated pixel data: items after the basic offset table
     * @param fragmentBytes     for encapsulated pixel data: bytes in those items
     * @param bytesRead         bytes of the stream read (after inflation for deflated data sets)
     */
    public record Result(boolean complete, String problem, String transferSyntaxUid, boolean pixelDataPresent,
                         long pixelDataLength, int fragments, long fragmentBytes, long bytesRead) {
    }

    private static final int UNDEFINED = -1;
    private static final Set<String> LONG_VRS = Set.of("OB", "OD", "OF", "OL", "OV", "OW", "SQ", "UC", "UN", "UR", "UT", "SV", "UV");
    private static final Set<String> SHORT_VRS = Set.of("AE", "AS", "AT", "CS", "DA", "DS", "DT", "FL", "FD", "IS", "LO", "LT",
            "PN", "SH", "SL", "SS", "ST", "TM", "UI", "UL", "US");
    private static final int ITEM = 0xFFFEE000;
    private static final int ITEM_END = 0xFFFEE00D;
    private static final int SEQUENCE_END = 0xFFFEE0DD;
    private static final int PIXEL_DATA = 0x7FE00010;
    private static final int MAX_DEPTH = 32;

    private CountingInput in;
    private boolean explicitVr;
    private boolean bigEndian;
    private boolean pixelDataPresent;
    private long pixelDataLength;
    private int fragments;
    private long fragmentBytes;
    private String transferSyntax;

    private DicomStructure() {
    }

    public static Result scan(InputStream stream) throws IOException {
        return new DicomStructure().walk(stream);
    }

    private Result walk(InputStream stream) throws IOException {
        in = new CountingInput(stream instanceof BufferedInputStream ? stream : new BufferedInputStream(stream, 64 * 1024));
        try {
            byte[] preamble = in.readFully(132);
            if (preamble[128] != 'D' || preamble[129] != 'I' || preamble[130] != 'C' || preamble[131] != 'M') {
                return failed("not a DICOM Part 10 file: no 'DICM' marker after the 128-byte preamble");
            }
            readMetaInformation();
            if (transferSyntax == null) {
                return failed("the meta information has no TransferSyntaxUID (0002,0010)");
            }
            switch (transferSyntax) {
                case TransferSyntaxes.IMPLICIT_VR_LITTLE_ENDIAN -> explicitVr = false;
                case TransferSyntaxes.EXPLICIT_VR_BIG_ENDIAN -> bigEndian = true;
                case TransferSyntaxes.DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN ->
                        in = new CountingInput(new BufferedInputStream(new InflaterInputStream(in.stream, new Inflater(true)), 64 * 1024));
                default -> {
                    // explicit VR little endian, the encoding of every encapsulated syntax
                }
            }
            readDataSet(0, Long.MAX_VALUE, true);
            return new Result(true, null, transferSyntax, pixelDataPresent, pixelDataLength, fragments, fragmentBytes, in.count);
        } catch (Malformed e) {
            return failed(e.getMessage());
        } catch (EOFException e) {
            return failed("the stream ends inside " + (e.getMessage() == null ? "an element" : e.getMessage())
                    + " at byte " + in.count + " (truncated)");
        } catch (java.util.zip.ZipException e) {
            return failed("the deflated data set is corrupt: " + e.getMessage());
        }
    }

    private Result failed(String problem) {
        return new Result(false, problem, transferSyntax, pixelDataPresent, pixelDataLength, fragments, fragmentBytes, in == null ? 0 : in.count);
    }

    /** Group 0002, always explicit VR little endian. */
    private void readMetaInformation() throws IOException {
        explicitVr = true;
        bigEndian = false;
        while (true) {
            in.mark(6);
            int group = in.readUnsigned16(false);
            in.reset();
            if (group != 0x0002) {
                if (group == -1) {
                    throw new EOFException("the meta information");
                }
                return;
            }
            int tag = readTag();
            String vr = readVr(tag);
            long length = readLength(vr);
            if (length == UNDEFINED) {
                throw new Malformed("undefined length in the meta information at " + hex(tag));
            }
            if (tag == 0x00020010) {
                transferSyntax = new String(in.readFully((int) Math.min(length, 256)), StandardCharsets.US_ASCII)
                        .replace("\0", "").trim();
                in.skipFully(length - Math.min(length, 256));
            } else {
                in.skipFully(length);
            }
        }
    }

    /**
     * Reads elements until the end of the stream (top level), the item end (undefined-length item) or {@code limit}
     * bytes (defined-length item).
     */
    private void readDataSet(int depth, long limit, boolean topLevel) throws IOException {
        if (depth > MAX_DEPTH) {
            throw new Malformed("sequences nested more than " + MAX_DEPTH + " deep");
        }
        long start = in.count;
        while (in.count - start < limit) {
            if (topLevel && in.atEnd()) {
                return;
            }
            int tag = readTag();
            if (topLevel && tag == 0) {
                requireOnlyPadding();
                return;
            }
            if (tag == ITEM_END) {
                readLength(null);
                if (limit != Long.MAX_VALUE) {
                    throw new Malformed("item delimiter in a defined-length item at byte " + in.count);
                }
                return;
            }
            if (tag == ITEM || tag == SEQUENCE_END) {
                throw new Malformed("unexpected " + hex(tag) + " at byte " + in.count);
            }
            String vr = explicitVr ? readVr(tag) : null;
            long length = readLength(vr);
            if (topLevel && tag == PIXEL_DATA) {
                pixelDataPresent = true;
                pixelDataLength = length;
            }
            if (length == UNDEFINED) {
                if (tag == PIXEL_DATA) {
                    readFragments(topLevel);
                } else if (vr == null || vr.equals("SQ") || vr.equals("UN")) {
                    // UN with undefined length holds a sequence in implicit VR little endian (CP-246)
                    boolean savedExplicit = explicitVr;
                    boolean savedBig = bigEndian;
                    if ("UN".equals(vr)) {
                        explicitVr = false;
                        bigEndian = false;
                    }
                    readItems(depth + 1);
                    explicitVr = savedExplicit;
                    bigEndian = savedBig;
                } else {
                    throw new Malformed("undefined length for " + vr + " element " + hex(tag));
                }
            } else if ("SQ".equals(vr)) {
                long end = in.count + length;
                readItemsUntil(depth + 1, end);
            } else {
                in.skipFully(length);
            }
        }
        if (in.count - start != limit && limit != Long.MAX_VALUE) {
            throw new Malformed("an item's elements overrun its length at byte " + in.count);
        }
    }

    private void readItems(int depth) throws IOException {
        while (true) {
            int tag = readTag();
            long length = readLength(null);
            if (tag == SEQUENCE_END) {
                return;
            }
            if (tag != ITEM) {
                throw new Malformed("expected an item in a sequence, found " + hex(tag) + " at byte " + in.count);
            }
            readDataSet(depth, length == UNDEFINED ? Long.MAX_VALUE : length, false);
        }
    }

    private void readItemsUntil(int depth, long end) throws IOException {
        while (in.count < end) {
            int tag = readTag();
            long length = readLength(null);
            if (tag != ITEM) {
                throw new Malformed("expected an item in a sequence, found " + hex(tag) + " at byte " + in.count);
            }
            readDataSet(depth, length == UNDEFINED ? Long.MAX_VALUE : length, false);
        }
        if (in.count != end) {
            throw new Malformed("a sequence's items overrun its length at byte " + in.count);
        }
    }

    /** Encapsulated pixel data: the basic offset table item, then one item per fragment, then the delimiter. */
    private void readFragments(boolean count) throws IOException {
        boolean first = true;
        while (true) {
            int tag = readTag();
            long length = readLength(null);
            if (tag == SEQUENCE_END) {
                if (first) {
                    throw new Malformed("encapsulated pixel data without a basic offset table item");
                }
                return;
            }
            if (tag != ITEM || length == UNDEFINED) {
                throw new Malformed("encapsulated pixel data holds " + hex(tag) + " instead of a fragment at byte " + in.count);
            }
            in.skipFully(length);
            if (!first && count) {
                fragments++;
                fragmentBytes += length;
            }
            first = false;
        }
    }

    /** Some writers pad files with zero bytes after the last element: allowed, anything else after them is not. */
    private void requireOnlyPadding() throws IOException {
        int b;
        while ((b = in.stream.read()) >= 0) {
            in.count++;
            if (b != 0) {
                throw new Malformed("unexpected bytes after the data set at byte " + in.count);
            }
        }
    }

    private int readTag() throws IOException {
        int group = in.readUnsigned16(bigEndian);
        int element = in.readUnsigned16(bigEndian);
        if (group < 0 || element < 0) {
            throw new EOFException("an element tag");
        }
        return group << 16 | element;
    }

    private String readVr(int tag) throws IOException {
        if ((tag >>> 16) == 0xFFFE) {
            return null;
        }
        byte[] b = in.readFully(2);
        String vr = new String(b, StandardCharsets.US_ASCII);
        if (!LONG_VRS.contains(vr) && !SHORT_VRS.contains(vr)) {
            throw new Malformed("invalid value representation '" + printable(vr) + "' for " + hex(tag) + " at byte " + (in.count - 2));
        }
        return vr;
    }

    /** Length of the value; for explicit VR the form depends on the VR, for items and implicit VR 4 bytes. */
    private long readLength(String vr) throws IOException {
        long length;
        if (vr != null && SHORT_VRS.contains(vr)) {
            length = in.readUnsigned16(bigEndian);
            if (length < 0) {
                throw new EOFException("an element length");
            }
            return length;
        }
        if (vr != null) {
            in.skipFully(2);
        }
        length = in.readUnsigned32(bigEndian);
        if (length == 0xFFFFFFFFL) {
            return UNDEFINED;
        }
        return length;
    }

    private static String hex(int tag) {
        return String.format("(%04X,%04X)", tag >>> 16, tag & 0xFFFF);
    }

    private static String printable(String s) {
        StringBuilder out = new StringBuilder();
        for (char c : s.toCharArray()) {
            out.append(c >= 0x20 && c < 0x7F ? String.valueOf(c) : String.format("\\x%02X", (int) c));
        }
        return out.toString();
    }

    /** Not DICOM as the standard encodes it. */
    private static final class Malformed extends IOException {
        private static final long serialVersionUID = 1L;

        Malformed(String message) {
            super(message);
        }
    }

    /** A stream that counts what it read and reads exactly or fails with EOFException. */
    private static final class CountingInput {
        final InputStream stream;
        long count;
        private long markCount;

        CountingInput(InputStream stream) {
            this.stream = stream;
        }

        void mark(int limit) {
            stream.mark(limit);
            markCount = count;
        }

        void reset() throws IOException {
            stream.reset();
            count = markCount;
        }

        boolean atEnd() throws IOException {
            stream.mark(1);
            int b = stream.read();
            stream.reset();
            return b < 0;
        }

        byte[] readFully(int n) throws IOException {
            byte[] b = stream.readNBytes(n);
            count += b.length;
            if (b.length < n) {
                throw new EOFException("a value");
            }
            return b;
        }

        void skipFully(long n) throws IOException {
            long left = n;
            while (left > 0) {
                long skipped = stream.skip(left);
                if (skipped <= 0) {
                    if (stream.read() < 0) {
                        count += n - left;
                        throw new EOFException("a value of " + n + " bytes");
                    }
                    skipped = 1;
                }
                left -= skipped;
            }
            count += n;
        }

        /** -1 at the end of the stream. */
        int readUnsigned16(boolean bigEndian) throws IOException {
            int a = stream.read();
            if (a < 0) {
                return -1;
            }
            int b = stream.read();
            if (b < 0) {
                count += 1;
                throw new EOFException("a 16-bit value");
            }
            count += 2;
            return bigEndian ? a << 8 | b : b << 8 | a;
        }

        long readUnsigned32(boolean bigEndian) throws IOException {
            byte[] b = readFully(4);
            long v = bigEndian
                    ? (b[0] & 0xFFL) << 24 | (b[1] & 0xFFL) << 16 | (b[2] & 0xFFL) << 8 | (b[3] & 0xFFL)
                    : (b[3] & 0xFFL) << 24 | (b[2] & 0xFFL) << 16 | (b[1] & 0xFFL) << 8 | (b[0] & 0xFFL);
            return v;
        }
    }
}

package org.lilnet.ingest.dimse;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The start of a DICOM Part 10 file for a data set received over the network: the 128-byte preamble, "DICM" and the
 * meta information (explicit VR little endian). The data set follows as received, in the negotiated transfer syntax,
 * so the stored file is what the sender sent.
 */
public final class Part10 {

    private Part10() {
    }

    /** Our implementation class UID (PS3.7 D.3.3.2), under the UUID-derived root 2.25. */
    public static final String IMPLEMENTATION_CLASS_UID = "2.25.87652356125859153475062642997805789803";
    public static final String IMPLEMENTATION_VERSION_NAME = "LILNET_INGEST_01";

    public static void writeHeader(OutputStream out, String sopClassUid, String sopInstanceUid, String transferSyntaxUid, String sourceAeTitle)
            throws IOException {
        ByteArrayOutputStream meta = new ByteArrayOutputStream(256);
        element(meta, 0x0001, "OB", new byte[] {0x00, 0x01});
        element(meta, 0x0002, "UI", uid(sopClassUid));
        element(meta, 0x0003, "UI", uid(sopInstanceUid));
        element(meta, 0x0010, "UI", uid(transferSyntaxUid));
        element(meta, 0x0012, "UI", uid(IMPLEMENTATION_CLASS_UID));
        element(meta, 0x0013, "SH", text(IMPLEMENTATION_VERSION_NAME));
        if (sourceAeTitle != null && !sourceAeTitle.isBlank()) {
            element(meta, 0x0016, "AE", text(sourceAeTitle.strip()));
        }
        out.write(new byte[128]);
        out.write(new byte[] {'D', 'I', 'C', 'M'});
        byte[] groupLength = new byte[4];
        int length = meta.size();
        groupLength[0] = (byte) length;
        groupLength[1] = (byte) (length >>> 8);
        groupLength[2] = (byte) (length >>> 16);
        groupLength[3] = (byte) (length >>> 24);
        element(out, 0x0000, "UL", groupLength);
        meta.writeTo(out);
    }

    private static void element(OutputStream out, int element, String vr, byte[] value) throws IOException {
        out.write(new byte[] {0x02, 0x00, (byte) element, (byte) (element >>> 8), (byte) vr.charAt(0), (byte) vr.charAt(1)});
        if (vr.equals("OB")) {
            out.write(new byte[] {0, 0, (byte) value.length, (byte) (value.length >>> 8), (byte) (value.length >>> 16), (byte) (value.length >>> 24)});
        } else {
            out.write(new byte[] {(byte) value.length, (byte) (value.length >>> 8)});
        }
        out.write(value);
    }

    /** UI values are padded with a NUL to an even length. */
    static byte[] uid(String uid) {
        byte[] b = (uid == null ? "" : uid.strip()).getBytes(StandardCharsets.US_ASCII);
        return b.length % 2 == 0 ? b : java.util.Arrays.copyOf(b, b.length + 1);
    }

    /** Text values are padded with a space to an even length. */
    static byte[] text(String s) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        if (b.length % 2 == 0) {
            return b;
        }
        byte[] padded = java.util.Arrays.copyOf(b, b.length + 1);
        padded[b.length] = ' ';
        return padded;
    }
}

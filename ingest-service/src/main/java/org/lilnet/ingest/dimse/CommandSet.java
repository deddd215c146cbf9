package org.lilnet.ingest.dimse;

import java.io.ByteArrayOutputStream;

/**
 * DIMSE command sets we send (PS3.7 9.3): group 0000, implicit VR little endian, with the group length first.
 * We write the C-STORE response ourselves to add an Error Comment (0000,0902) that tells the sender why.
 */
final class CommandSet {

    static final int C_STORE_RSP = 0x8001;
    static final int C_ECHO_RSP = 0x8030;
    static final int NO_DATA_SET = 0x0101;

    private final ByteArrayOutputStream body = new ByteArrayOutputStream(256);

    static byte[] cStoreResponse(String sopClassUid, String sopInstanceUid, int messageId, int status, String errorComment) {
        CommandSet c = new CommandSet();
        c.ui(0x0002, sopClassUid);
        c.us(0x0100, C_STORE_RSP);
        c.us(0x0120, messageId);
        c.us(0x0800, NO_DATA_SET);
        c.us(0x0900, status);
        if (errorComment != null && !errorComment.isBlank() && status != 0) {
            c.text(0x0902, errorComment.length() > 64 ? errorComment.substring(0, 61) + "..." : errorComment);
        }
        c.ui(0x1000, sopInstanceUid);
        return c.bytes();
    }

    static byte[] cEchoResponse(String sopClassUid, int messageId) {
        CommandSet c = new CommandSet();
        c.ui(0x0002, sopClassUid);
        c.us(0x0100, C_ECHO_RSP);
        c.us(0x0120, messageId);
        c.us(0x0800, NO_DATA_SET);
        c.us(0x0900, 0x0000);
        return c.bytes();
    }

    private void header(int element, int length) {
        body.write(0x00);
        body.write(0x00);
        body.write(element & 0xFF);
        body.write(element >>> 8);
        body.write(length & 0xFF);
        body.write(length >>> 8 & 0xFF);
        body.write(length >>> 16 & 0xFF);
        body.write(length >>> 24 & 0xFF);
    }

    private void ui(int element, String uid) {
        byte[] v = Part10.uid(uid == null ? "" : uid);
        header(element, v.length);
        body.writeBytes(v);
    }

    private void us(int element, int value) {
        header(element, 2);
        body.write(value & 0xFF);
        body.write(value >>> 8 & 0xFF);
    }

    private void text(int element, String value) {
        // Error Comment is LO: no backslash, printable ASCII
        String clean = value.replace('\\', '/').replaceAll("[^\\x20-\\x7E]", "?");
        byte[] v = Part10.text(clean);
        header(element, v.length);
        body.writeBytes(v);
    }

    private byte[] bytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(body.size() + 12);
        byte[] group = body.toByteArray();
        out.writeBytes(new byte[] {0, 0, 0, 0, 4, 0, 0, 0});
        out.write(group.length & 0xFF);
        out.write(group.length >>> 8 & 0xFF);
        out.write(group.length >>> 16 & 0xFF);
        out.write(group.length >>> 24 & 0xFF);
        out.writeBytes(group);
        return out.toByteArray();
    }
}

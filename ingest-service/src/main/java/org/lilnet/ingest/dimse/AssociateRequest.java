package org.lilnet.ingest.dimse;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The first PDU of an association, read before PixelMed sees it: the calling and called AE titles, so that unknown
 * callers are rejected at negotiation with the standard A-ASSOCIATE-RJ reason (PS3.8 9.3.4).
 *
 * @param bytes          the whole PDU as read (to be given to PixelMed again)
 * @param pduType        0x01 for an A-ASSOCIATE-RQ
 * @param calledAeTitle  trimmed
 * @param callingAeTitle trimmed
 */
record AssociateRequest(byte[] bytes, int pduType, String calledAeTitle, String callingAeTitle) {

    /** A-ASSOCIATE-RJ reasons with source "service user". */
    static final int CALLING_AE_NOT_RECOGNIZED = 3;
    static final int CALLED_AE_NOT_RECOGNIZED = 7;
    /** Reason "local limit exceeded", source "service provider (presentation)". */
    static final int LOCAL_LIMIT_EXCEEDED = 2;

    /** Association requests are small; anything bigger is not one. */
    private static final int MAX_REQUEST = 1 << 20;

    static AssociateRequest read(InputStream in) throws IOException {
        DataInputStream data = new DataInputStream(in);
        byte[] head = new byte[6];
        data.readFully(head);
        int type = head[0] & 0xFF;
        long length = ((head[2] & 0xFFL) << 24) | ((head[3] & 0xFFL) << 16) | ((head[4] & 0xFFL) << 8) | (head[5] & 0xFFL);
        if (type != 0x01) {
            return new AssociateRequest(head, type, null, null);
        }
        if (length < 68 || length > MAX_REQUEST) {
            throw new IOException("not an association request: PDU length " + length);
        }
        byte[] pdu = new byte[6 + (int) length];
        System.arraycopy(head, 0, pdu, 0, 6);
        data.readFully(pdu, 6, (int) length);
        String called = new String(pdu, 10, 16, StandardCharsets.US_ASCII).strip();
        String calling = new String(pdu, 26, 16, StandardCharsets.US_ASCII).strip();
        return new AssociateRequest(pdu, type, called, calling);
    }

    /** Writes an A-ASSOCIATE-RJ PDU: result 1 permanent or 2 transient, source 1 user or 3 provider. */
    static void reject(OutputStream out, int result, int source, int reason) throws IOException {
        out.write(new byte[] {0x03, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, (byte) result, (byte) source, (byte) reason});
        out.flush();
    }
}

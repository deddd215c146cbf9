package org.lilnet.dicom;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.util.UUID;
import java.util.regex.Pattern;

/** DICOM UIDs: our own (under the UUID-derived root 2.25, no registered root needed) and a syntax check. */
public final class DicomUids {

    private DicomUids() {
    }

    private static final Pattern UID = Pattern.compile("[0-9]+(\\.[0-9]+)+");

    /** A new unique UID: {@code 2.25.} followed by a random UUID as a decimal number (PS3.5 B.2). */
    public static String random() {
        return fromUuid(UUID.randomUUID());
    }

    public static String fromUuid(UUID uuid) {
        ByteBuffer bytes = ByteBuffer.allocate(16).putLong(uuid.getMostSignificantBits()).putLong(uuid.getLeastSignificantBits());
        return "2.25." + new BigInteger(1, bytes.array());
    }

    /**
     * Whether a UID is usable: at least two components of digits joined by dots, at most 64 characters. Leading zeros
     * in a component break the letter of PS3.5 but are still unambiguous, so they pass.
     */
    public static boolean isValid(String uid) {
        return uid != null && uid.length() <= 64 && UID.matcher(uid).matches();
    }
}

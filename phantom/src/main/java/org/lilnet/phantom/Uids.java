package org.lilnet.phantom;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.util.random.RandomGenerator;

/**
 * Our UIDs: the "2.25." root followed by a UUID as a decimal number (DICOM PS3.5 B.2), drawn from the study's
 * random stream, so every run with the same seed writes the same UIDs and no UID borrows another organisation's
 * root.
 */
final class Uids {

    private Uids() {
    }

    static String next(RandomGenerator rng) {
        ByteBuffer bytes = ByteBuffer.allocate(16).putLong(rng.nextLong()).putLong(rng.nextLong());
        byte[] b = bytes.array();
        b[6] = (byte) ((b[6] & 0x0F) | 0x40); // version 4 (random)
        b[8] = (byte) ((b[8] & 0x3F) | 0x80); // IETF variant
        return "2.25." + new BigInteger(1, b);
    }
}

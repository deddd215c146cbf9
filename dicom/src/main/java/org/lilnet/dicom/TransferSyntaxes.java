package org.lilnet.dicom;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The transfer syntaxes we know by name, and which of them our decoders (PixelMed, pixelmed-imageio for lossless JPEG,
 * jai-imageio for JPEG 2000) turn into pixels. What is not decodable here (JPEG-LS, 12-bit lossy JPEG, HTJ2K, video)
 * is refused for processing with the reason {@code UNSUPPORTED_TRANSFER_SYNTAX}.
 */
public final class TransferSyntaxes {

    private TransferSyntaxes() {
    }

    public static final String IMPLICIT_VR_LITTLE_ENDIAN = "1.2.840.10008.1.2";
    public static final String EXPLICIT_VR_LITTLE_ENDIAN = "1.2.840.10008.1.2.1";
    public static final String DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN = "1.2.840.10008.1.2.1.99";
    public static final String EXPLICIT_VR_BIG_ENDIAN = "1.2.840.10008.1.2.2";
    public static final String RLE_LOSSLESS = "1.2.840.10008.1.2.5";
    public static final String JPEG_BASELINE = "1.2.840.10008.1.2.4.50";
    public static final String JPEG_EXTENDED = "1.2.840.10008.1.2.4.51";
    public static final String JPEG_FULL_PROGRESSION = "1.2.840.10008.1.2.4.55";
    public static final String JPEG_LOSSLESS = "1.2.840.10008.1.2.4.57";
    public static final String JPEG_LOSSLESS_SV1 = "1.2.840.10008.1.2.4.70";
    public static final String JPEG_LS_LOSSLESS = "1.2.840.10008.1.2.4.80";
    public static final String JPEG_LS_NEAR_LOSSLESS = "1.2.840.10008.1.2.4.81";
    public static final String JPEG_2000_LOSSLESS = "1.2.840.10008.1.2.4.90";
    public static final String JPEG_2000 = "1.2.840.10008.1.2.4.91";

    private static final Map<String, String> NAMES = new LinkedHashMap<>();

    static {
        NAMES.put(IMPLICIT_VR_LITTLE_ENDIAN, "Implicit VR Little Endian");
        NAMES.put(EXPLICIT_VR_LITTLE_ENDIAN, "Explicit VR Little Endian");
        NAMES.put(DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN, "Deflated Explicit VR Little Endian");
        NAMES.put(EXPLICIT_VR_BIG_ENDIAN, "Explicit VR Big Endian (retired)");
        NAMES.put(RLE_LOSSLESS, "RLE Lossless");
        NAMES.put(JPEG_BASELINE, "JPEG Baseline (8-bit lossy)");
        NAMES.put(JPEG_EXTENDED, "JPEG Extended (12-bit lossy)");
        NAMES.put(JPEG_FULL_PROGRESSION, "JPEG Full Progression (retired)");
        NAMES.put(JPEG_LOSSLESS, "JPEG Lossless (process 14)");
        NAMES.put(JPEG_LOSSLESS_SV1, "JPEG Lossless SV1");
        NAMES.put(JPEG_LS_LOSSLESS, "JPEG-LS Lossless");
        NAMES.put(JPEG_LS_NEAR_LOSSLESS, "JPEG-LS Near-Lossless");
        NAMES.put(JPEG_2000_LOSSLESS, "JPEG 2000 Lossless");
        NAMES.put(JPEG_2000, "JPEG 2000");
        NAMES.put("1.2.840.10008.1.2.4.201", "HTJ2K Lossless");
        NAMES.put("1.2.840.10008.1.2.4.202", "HTJ2K Lossless RPCL");
        NAMES.put("1.2.840.10008.1.2.4.203", "HTJ2K");
        NAMES.put("1.2.840.10008.1.2.8.1", "Deflated Image Frame Compression");
    }

    /** Decodable by PixelMed with pixelmed-imageio and jai-imageio, in our order of preference at negotiation. */
    public static final Set<String> DECODABLE = Set.of(EXPLICIT_VR_LITTLE_ENDIAN, IMPLICIT_VR_LITTLE_ENDIAN,
            DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN, EXPLICIT_VR_BIG_ENDIAN, RLE_LOSSLESS, JPEG_LOSSLESS, JPEG_LOSSLESS_SV1,
            JPEG_2000_LOSSLESS, JPEG_2000, JPEG_BASELINE);

    public static boolean isDecodable(String uid) {
        return uid != null && DECODABLE.contains(uid);
    }

    /** Pixel data in fragments (compressed): everything but the native (uncompressed) syntaxes. */
    public static boolean isEncapsulated(String uid) {
        return uid != null && !uid.equals(IMPLICIT_VR_LITTLE_ENDIAN) && !uid.equals(EXPLICIT_VR_LITTLE_ENDIAN)
                && !uid.equals(DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN) && !uid.equals(EXPLICIT_VR_BIG_ENDIAN);
    }

    /** The syntax's name and UID, for messages: "JPEG-LS Lossless (1.2.840.10008.1.2.4.80)". */
    public static String describe(String uid) {
        if (uid == null || uid.isEmpty()) {
            return "no transfer syntax";
        }
        String name = NAMES.get(uid);
        return name == null ? uid : name + " (" + uid + ")";
    }
}

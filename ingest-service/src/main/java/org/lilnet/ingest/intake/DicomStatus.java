package org.lilnet.ingest.intake;

/** The status codes we answer with (PS3.4 Annex B C-STORE, PS3.18 STOW-RS Failure/Warning Reason). */
public final class DicomStatus {

    private DicomStatus() {
    }

    public static final int SUCCESS = 0x0000;
    /** Warning: stored, but the data set does not match the SOP class (e.g. a CT image without PixelSpacing). */
    public static final int WARNING_DATA_SET_DOES_NOT_MATCH = 0xB007;
    /** Refused: out of resources (storage failed, instance too large). */
    public static final int OUT_OF_RESOURCES = 0xA700;
    /** Error: data set does not match SOP class (missing UIDs, no pixel data in an image). */
    public static final int DATA_SET_DOES_NOT_MATCH = 0xA900;
    /** Error: cannot understand (not DICOM, truncated, undecodable). */
    public static final int CANNOT_UNDERSTAND = 0xC000;
    /** STOW-RS: referenced transfer syntax not supported. */
    public static final int TRANSFER_SYNTAX_NOT_SUPPORTED = 0xC122;

    public static boolean isFailure(int status) {
        return status != SUCCESS && (status & 0xF000) != 0xB000;
    }

    public static boolean isWarning(int status) {
        return (status & 0xF000) == 0xB000;
    }

    public static String hex(int status) {
        return String.format("0x%04X", status);
    }
}

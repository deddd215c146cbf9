package org.lilnet.dicom;

/** A file that is not a usable CT slice; the message says why in words, {@link #reasonCode()} for machines. */
public final class DicomFormatException extends Exception {

    private static final long serialVersionUID = 1L;

    private final String reasonCode;

    public DicomFormatException(String reasonCode, String message) {
        super(message);
        this.reasonCode = reasonCode;
    }

    public DicomFormatException(String reasonCode, String message, Throwable cause) {
        super(message, cause);
        this.reasonCode = reasonCode;
    }

    /** UPPER_SNAKE_CASE reason, as used in dead letters and refusals (e.g. NOT_CT, PIXEL_DATA_UNREADABLE). */
    public String reasonCode() {
        return reasonCode;
    }
}

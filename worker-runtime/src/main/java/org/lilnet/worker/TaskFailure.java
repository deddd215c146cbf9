package org.lilnet.worker;

/**
 * A task that cannot be processed (unreadable slice, model error, ...): its chunk is reported downstream as FAILED
 * with {@link #reason()} and a dead letter carries the same reason code.
 */
public final class TaskFailure extends Exception {

    private static final long serialVersionUID = 1L;

    private final String reasonCode;

    public TaskFailure(String reasonCode, String detail) {
        this(reasonCode, detail, null);
    }

    public TaskFailure(String reasonCode, String detail, Throwable cause) {
        super(detail, cause);
        if (!reasonCode.matches("[A-Z][A-Z0-9_]*")) {
            throw new IllegalArgumentException("reason codes are UPPER_SNAKE_CASE: " + reasonCode);
        }
        this.reasonCode = reasonCode;
    }

    public String reasonCode() {
        return reasonCode;
    }

    public String detail() {
        return getMessage() == null ? "" : getMessage();
    }

    /** {@code REASON_CODE: detail}, the form of {@code failureReason} in the events. */
    public String reason() {
        return reasonCode + ": " + detail();
    }
}

package org.lilnet.aggregator.kafka;

import java.io.IOException;
import java.util.concurrent.TimeoutException;

/**
 * A dependency (the schema registry) did not answer while a record was processed. The record is fine: the task fails
 * without committing (exactly-once), and the stream thread is replaced to try again, instead of dead-lettering it.
 */
public final class DependencyUnavailable extends RuntimeException {

    private static final long serialVersionUID = 1L;

    DependencyUnavailable(String message, Throwable cause) {
        super(message, cause);
    }

    /** Whether a failure comes from a connection problem (I/O, timeout) rather than from the bytes. */
    static boolean isCause(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof IOException || t instanceof TimeoutException || t instanceof java.net.http.HttpTimeoutException) {
                return true;
            }
        }
        return false;
    }

    /** Whether a stream thread died of this. */
    public static boolean among(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof DependencyUnavailable) {
                return true;
            }
        }
        return false;
    }
}

package org.lilnet.common.ops;

/** A running service: started once by {@link ServiceRunner}, closed once on shutdown (SIGTERM). */
public interface Service extends AutoCloseable {

    /** Starts the service's work; returns when it runs (or throws, and the process exits with status 1). */
    void start() throws Exception;

    /** Stops gracefully: finish or hand back the work in hand, commit, release resources. */
    @Override
    void close();
}

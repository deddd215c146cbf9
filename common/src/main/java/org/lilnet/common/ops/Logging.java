package org.lilnet.common.ops;

/** Logging set-up of a process; call first thing in {@code main}. */
public final class Logging {

    private Logging() {
    }

    /**
     * Names the process in every log line and routes java.util.logging (used by some libraries, e.g. Vert.x inside
     * the registry client) into the same log.
     */
    public static void init(String processName) {
        System.setProperty("lilnet.service", processName);
        System.setProperty("java.util.logging.manager", "org.apache.logging.log4j.jul.LogManager");
    }
}

package org.lilnet.common.config;

import java.util.List;

/** Start-up refused: the configuration is incomplete or invalid. The message names every offending key. */
public final class ConfigException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient List<String> problems;

    public ConfigException(String service, List<String> problems) {
        super("invalid configuration of " + service + ":\n  - " + String.join("\n  - ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}

package org.lilnet.inference;

/**
 * Which execution provider a process runs its models on, and why: made once per process, logged in one line.
 *
 * @param provider what the sessions use
 * @param reason   why, in words (what was configured, what failed)
 */
public record ProviderDecision(ExecutionProvider provider, String reason) {

    /** The log line. */
    public String describe() {
        return "execution provider " + provider + ": " + reason;
    }
}

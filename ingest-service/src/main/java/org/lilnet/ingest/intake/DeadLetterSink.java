package org.lilnet.ingest.intake;

import org.lilnet.events.DeadLetter;

/** Where refusals go for operators (the dead-letter topic); must not block the sender for long. */
@FunctionalInterface
public interface DeadLetterSink {
    void send(String key, DeadLetter letter);
}

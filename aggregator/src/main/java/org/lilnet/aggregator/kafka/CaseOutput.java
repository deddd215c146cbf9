package org.lilnet.aggregator.kafka;

import org.lilnet.events.DeadLetter;
import org.lilnet.events.Diagnosis;

import java.util.List;

/** What the case processor emits: a diagnosis or a dead letter. */
record CaseOutput(Diagnosis diagnosis, DeadLetter deadLetter) {

    static CaseOutput of(Diagnosis diagnosis) {
        return new CaseOutput(diagnosis, null);
    }

    static CaseOutput of(DeadLetter deadLetter) {
        return new CaseOutput(null, deadLetter);
    }

    List<Diagnosis> diagnoses() {
        return diagnosis == null ? List.of() : List.of(diagnosis);
    }

    List<DeadLetter> deadLetters() {
        return deadLetter == null ? List.of() : List.of(deadLetter);
    }
}

package org.lilnet.aggregator.cases;

import org.lilnet.events.Phase;

import java.util.Locale;

/** Phase names for the words of a diagnosis ("portal venous phase arrived"). */
final class PhaseNames {

    private PhaseNames() {
    }

    static String of(Phase phase) {
        return switch (phase) {
            case AP -> "arterial";
            case PVP -> "portal venous";
            case NON_CONTRAST -> "non-contrast";
            default -> phase.name().toLowerCase(Locale.ROOT);
        };
    }

    /** The phase a single-phase case is missing. */
    static Phase other(Phase phase) {
        return phase == Phase.AP ? Phase.PVP : Phase.AP;
    }
}

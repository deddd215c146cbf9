package org.lilnet.aggregator.cases;

import org.lilnet.aggregator.lesion.LesionRule;

import java.time.Duration;

/**
 * The aggregator's rules in numbers.
 *
 * @param singlePhaseGrace how long a revision listing one phase waits, once its chunks are in, for a revision with the other
 * @param caseTimeout      how long a revision may go without progress (study or chunk) before it is reported FAILED
 * @param retention        how long a finished case is remembered (to supersede it with version + 1 when a phase comes late)
 * @param lesionRule       how crops of adjacent slices are grouped into lesions
 */
public record CaseSettings(Duration singlePhaseGrace, Duration caseTimeout, Duration retention, LesionRule lesionRule) {
}

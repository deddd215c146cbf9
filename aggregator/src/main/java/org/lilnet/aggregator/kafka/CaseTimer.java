package org.lilnet.aggregator.kafka;

import org.lilnet.aggregator.cases.CaseStage;

/** When a case must be looked at without an event (wall clock, ms; MAX_VALUE for never), and its stage (for the metrics). */
record CaseTimer(long dueAt, CaseStage stage) {
}

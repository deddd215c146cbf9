package org.lilnet.aggregator;

import org.lilnet.aggregator.cases.CaseSettings;
import org.lilnet.aggregator.lesion.LesionRule;
import org.lilnet.common.config.CommonKeys;
import org.lilnet.common.config.Config;
import org.lilnet.common.config.ConfigDefinition;
import org.lilnet.common.config.ConfigKey;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** The configuration keys of the aggregator, declared once: validated at start-up, listed in docs/configuration.md. */
public final class AggregatorConfig {

    private AggregatorConfig() {
    }

    public static final int DEFAULT_HTTP_PORT = 28183;

    public static final ConfigKey<String> APPLICATION_ID = ConfigKey.string("aggregator.application.id",
                    "Kafka Streams application id: the consumer group, the prefix of the transactional ids and of the changelog topics. "
                            + "Every instance of one aggregator deployment uses the same; changing it starts from scratch.")
            .withDefault("lilnet-aggregator").validatedBy(s -> s.matches("[A-Za-z0-9._-]+"), "letters, digits, '.', '_' or '-'");

    public static final ConfigKey<Path> STATE_DIR = ConfigKey.path("aggregator.state.dir",
                    "Directory of the local state stores (RocksDB). A copy of the changelog topics: losing it costs a restore, not data.")
            .withDefault(Path.of("data/aggregator"));

    public static final ConfigKey<Integer> STREAM_THREADS = ConfigKey.integer("aggregator.stream.threads",
                    "Stream threads of this instance; together with the instances, at most the partition count of lilnet.studies.v1 do work.")
            .withDefault(1).validatedBy(ConfigKey.between(1, 64), "between 1 and 64");

    public static final ConfigKey<Duration> COMMIT_INTERVAL = ConfigKey.duration("aggregator.commit.interval",
                    "How often a transaction commits (exactly_once_v2): a diagnosis is visible to read_committed consumers after the next commit.")
            .withDefault(Duration.ofMillis(100)).validatedBy(ConfigKey.positive(), "positive");

    public static final ConfigKey<Duration> SINGLE_PHASE_GRACE = ConfigKey.duration("aggregator.single-phase.grace",
                    "When a case revision lists only one phase (arterial or portal venous), how long after its last chunk arrived to wait "
                            + "for a revision with the other phase before emitting a SINGLE_PHASE diagnosis (wall clock).")
            .withDefault(Duration.ofMinutes(2)).validatedBy(ConfigKey.positive(), "positive");

    public static final ConfigKey<Duration> CASE_TIMEOUT = ConfigKey.duration("aggregator.case.timeout",
                    "A case revision whose chunks are not all in and that made no progress (no new chunk) for this long is reported "
                            + "FAILED with reason TIMEOUT; chunks arriving later still complete it (version + 1). Chunks whose StudyArrived "
                            + "does not come within this time are dead-lettered (CASE_NOT_OPENED).")
            .withDefault(Duration.ofMinutes(30)).validatedBy(ConfigKey.positive(), "positive");

    public static final ConfigKey<Duration> CASE_RETENTION = ConfigKey.duration("aggregator.case.retention",
                    "How long a diagnosed case is remembered after its last event, so that a late phase supersedes its diagnosis "
                            + "with version + 1. After that a late phase starts again at version 1.")
            .withDefault(Duration.ofDays(7)).validatedBy(ConfigKey.positive(), "positive");

    public static final ConfigKey<Duration> TIMER_INTERVAL = ConfigKey.duration("aggregator.timer.interval",
                    "How often the wall-clock timers (grace period, timeout, retention) are checked.")
            .withDefault(Duration.ofSeconds(1)).validatedBy(ConfigKey.positive(), "positive");

    public static final ConfigKey<Double> LESION_MIN_OVERLAP = ConfigKey.decimal("aggregator.lesion.min-overlap",
                    "Two crops on nearby slices of a series belong to one lesion when their boxes overlap by at least this fraction "
                            + "of the smaller box.")
            .withDefault(LesionRule.DEFAULT.minOverlap()).validatedBy(v -> v > 0 && v <= 1, "greater than 0 and at most 1");

    public static final ConfigKey<Integer> LESION_MAX_SLICE_GAP = ConfigKey.integer("aggregator.lesion.max-slice-gap",
                    "Slices without a matching crop that a lesion may skip (0: crops on adjacent slices only).")
            .withDefault(LesionRule.DEFAULT.maxSliceGap()).validatedBy(ConfigKey.between(0, 10), "between 0 and 10");

    /** Keys of this service beyond the shared ones. */
    static final List<ConfigKey<?>> OWN_KEYS = List.of(APPLICATION_ID, STATE_DIR, STREAM_THREADS, COMMIT_INTERVAL,
            SINGLE_PHASE_GRACE, CASE_TIMEOUT, CASE_RETENTION, TIMER_INTERVAL, LESION_MIN_OVERLAP, LESION_MAX_SLICE_GAP);

    public static final ConfigDefinition DEFINITION = ConfigDefinition.of("aggregator", CommonKeys.kafkaService(DEFAULT_HTTP_PORT), OWN_KEYS);

    /** The case rules from a validated configuration. */
    public static CaseSettings caseSettings(Config config) {
        return new CaseSettings(config.get(SINGLE_PHASE_GRACE), config.get(CASE_TIMEOUT), config.get(CASE_RETENTION),
                new LesionRule(config.get(LESION_MIN_OVERLAP), config.get(LESION_MAX_SLICE_GAP)));
    }
}

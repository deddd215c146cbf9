package org.lilnet.ingest;

import org.lilnet.common.config.CommonKeys;
import org.lilnet.common.config.ConfigDefinition;
import org.lilnet.common.config.ConfigKey;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** The configuration keys of the ingest-service, declared once: validated at start-up, listed in docs/configuration.md. */
public final class IngestConfig {

    private IngestConfig() {
    }

    public static final int DEFAULT_HTTP_PORT = 28180;

    // ---- DICOM (DIMSE) ----------------------------------------------------------------------------------------

    public static final ConfigKey<String> AE_TITLE = ConfigKey.string("dicom.ae-title",
                    "Our DICOM AE title: the called AE title senders (PACS, scanners) must use; others are rejected at association.")
            .withDefault("LILNET").validatedBy(s -> s.matches("[\\x20-\\x5B\\x5D-\\x7E]{1,16}") && !s.isBlank(),
                    "1 to 16 printable ASCII characters, no backslash");

    public static final ConfigKey<String> DICOM_HOST = ConfigKey.string("dicom.host", "Interface the DICOM listener binds.")
            .withDefault("0.0.0.0");

    public static final ConfigKey<Integer> DICOM_PORT = ConfigKey.integer("dicom.port",
                    "Port of the DICOM listener (C-STORE, C-ECHO); 0 picks a free port.")
            .withDefault(11112).validatedBy(ConfigKey.between(0, 65535), "between 0 and 65535");

    public static final ConfigKey<List<String>> CALLING_AE_TITLES = ConfigKey.list("dicom.calling-ae-titles",
                    "Calling AE titles allowed to associate (comma-separated); empty: any. Others are rejected with "
                            + "'calling AE title not recognized'.")
            .withDefault(List.of());

    public static final ConfigKey<Integer> MAX_ASSOCIATIONS = ConfigKey.integer("dicom.max-associations",
                    "Concurrent DICOM associations; more are rejected as 'local limit exceeded' (the sender retries).")
            .withDefault(16).validatedBy(ConfigKey.between(1, 1000), "between 1 and 1000");

    public static final ConfigKey<Duration> IDLE_TIMEOUT = ConfigKey.duration("dicom.idle-timeout",
                    "An association that sends nothing for this long is closed (a stalled sender does not hold a thread).")
            .withDefault(Duration.ofSeconds(60)).validatedBy(ConfigKey.positive(), "positive");

    public static final ConfigKey<Integer> MAX_PDU_LENGTH = ConfigKey.integer("dicom.max-pdu-length",
                    "Largest PDU we offer to receive, bytes (larger PDUs: fewer, bigger network reads).")
            .withDefault(262_144).validatedBy(ConfigKey.between(4096, 16 * 1024 * 1024), "between 4096 and 16777216");

    // ---- DICOMweb STOW-RS ---------------------------------------------------------------------------------------

    public static final ConfigKey<Boolean> DICOMWEB_ENABLED = ConfigKey.bool("dicomweb.enabled",
            "Serve DICOMweb STOW-RS (POST /studies).").withDefault(true);

    public static final ConfigKey<String> DICOMWEB_HOST = ConfigKey.string("dicomweb.host", "Interface the STOW-RS endpoint binds.")
            .withDefault("0.0.0.0");

    public static final ConfigKey<Integer> DICOMWEB_PORT = ConfigKey.integer("dicomweb.port",
                    "Port of the STOW-RS endpoint (http://host:port/studies); 0 picks a free port.")
            .withDefault(28190).validatedBy(ConfigKey.between(0, 65535), "between 0 and 65535");

    public static final ConfigKey<String> BEARER_TOKEN = ConfigKey.string("dicomweb.bearer-token",
                    "When set, STOW-RS requests must carry 'Authorization: Bearer <token>' (401 otherwise). Put TLS in front of it.")
            .optional().secret();

    public static final ConfigKey<Integer> DICOMWEB_THREADS = ConfigKey.integer("dicomweb.threads",
                    "STOW-RS requests served at once; more wait for a free thread.")
            .withDefault(4).validatedBy(ConfigKey.between(1, 256), "between 1 and 256");

    // ---- cases -------------------------------------------------------------------------------------------------

    public static final ConfigKey<Duration> QUIET_PERIOD = ConfigKey.duration("ingest.quiet-period",
                    "A study is stable, and its case opened, when no instance of it arrived for this long (or at once when all the "
                            + "instances announced in NumberOfStudyRelatedInstances (0020,1208) are in).")
            .withDefault(Duration.ofSeconds(30)).validatedBy(ConfigKey.positive(), "positive");

    public static final ConfigKey<Integer> CHUNK_SLICES = ConfigKey.integer("ingest.chunk-slices",
                    "Slices per detect task (K): a processed series becomes ceil(slices / K) tasks.")
            .withDefault(32).validatedBy(ConfigKey.between(1, 1024), "between 1 and 1024");

    public static final ConfigKey<Double> PREFERRED_THICKNESS = ConfigKey.decimal("ingest.series.preferred-thickness-mm",
                    "When a study has several series of one phase, the original (not derived) one whose SliceThickness is nearest "
                            + "this is processed (LiLNet was trained on 1-3 mm); the others are skipped as DUPLICATE_PHASE.")
            .withDefault(2.0).validatedBy(ConfigKey.betweenDecimal(0.1, 20), "between 0.1 and 20");

    public static final ConfigKey<Path> STATE_DIR = ConfigKey.path("ingest.state.dir",
                    "Directory of the case journal (one file per study): what a restarted service rebuilds its cases in progress from.")
            .withDefault(Path.of("data/ingest/state"));

    public static final ConfigKey<Boolean> STATE_FSYNC = ConfigKey.bool("ingest.state.fsync",
                    "Force each case journal line to disk before answering the sender (survives a machine crash without the "
                            + "reconciliation; costs one more disk flush per instance).")
            .withDefault(false);

    public static final ConfigKey<Duration> STATE_RETENTION = ConfigKey.duration("ingest.state.retention",
                    "A case idle this long forgets its instances (its revision is kept); a late instance after that opens a "
                            + "revision with only what arrived since.")
            .withDefault(Duration.ofDays(14)).validatedBy(ConfigKey.positive(), "positive");

    public static final ConfigKey<Duration> RECONCILE_WINDOW = ConfigKey.duration("ingest.reconcile.window",
                    "At start-up, instances stored in the blob store within this window but missing from the case journal (a machine "
                            + "crash before the journal reached the disk) are added to their cases. 0s: no reconciliation.")
            .withDefault(Duration.ofHours(24)).validatedBy(d -> !d.isNegative(), "zero or positive");

    // ---- receiving ---------------------------------------------------------------------------------------------

    public static final ConfigKey<Path> SPOOL_DIR = ConfigKey.path("ingest.spool.dir",
                    "Directory for instances larger than the memory limit while they are checked (emptied at start-up).")
            .withDefault(Path.of("data/ingest/spool"));

    public static final ConfigKey<Long> SPOOL_MEMORY_LIMIT = ConfigKey.longInteger("ingest.spool.memory-limit",
                    "Bytes of one received instance kept in memory while it is checked; larger ones go to the spool directory.")
            .withDefault(8L * 1024 * 1024).validatedBy(v -> v >= 0 && v <= 256L * 1024 * 1024, "between 0 and 268435456");

    public static final ConfigKey<Long> MAX_INSTANCE_SIZE = ConfigKey.longInteger("ingest.max-instance-size",
                    "Largest instance accepted, bytes; larger ones are refused (0xA700, INSTANCE_TOO_LARGE).")
            .withDefault(1024L * 1024 * 1024).validatedBy(v -> v > 0, "positive");

    public static final ConfigKey<Boolean> DECODE_CHECK = ConfigKey.bool("ingest.validate.decode",
                    "Decode compressed CT pixel data on receipt, refusing what the detector could not decode (costs the codec's time "
                            + "per compressed slice). Uncompressed and truncated data are always checked.")
            .withDefault(true);

    public static final ConfigKey<Boolean> KEEP_REFUSED = ConfigKey.bool("ingest.keep-refused",
                    "Keep the bytes of refused instances in the blob store under refused/<sha256>.dcm (named in their dead letter).")
            .withDefault(true);

    /** Keys of this service beyond the shared ones. */
    static final List<ConfigKey<?>> OWN_KEYS = List.of(CommonKeys.BLOB_STORE_DIR, AE_TITLE, DICOM_HOST, DICOM_PORT, CALLING_AE_TITLES,
            MAX_ASSOCIATIONS, IDLE_TIMEOUT, MAX_PDU_LENGTH, DICOMWEB_ENABLED, DICOMWEB_HOST, DICOMWEB_PORT, BEARER_TOKEN, DICOMWEB_THREADS,
            QUIET_PERIOD, CHUNK_SLICES, PREFERRED_THICKNESS, STATE_DIR, STATE_FSYNC, STATE_RETENTION, RECONCILE_WINDOW, SPOOL_DIR,
            SPOOL_MEMORY_LIMIT, MAX_INSTANCE_SIZE, DECODE_CHECK, KEEP_REFUSED);

    public static final ConfigDefinition DEFINITION = ConfigDefinition.of("ingest-service", CommonKeys.kafkaService(DEFAULT_HTTP_PORT), OWN_KEYS);
}

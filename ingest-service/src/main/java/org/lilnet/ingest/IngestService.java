package org.lilnet.ingest;

import org.lilnet.common.blob.FileBlobStore;
import org.lilnet.common.config.CommonKeys;
import org.lilnet.common.config.Config;
import org.lilnet.common.kafka.Dependencies;
import org.lilnet.common.kafka.EventSerdes;
import org.lilnet.common.kafka.KafkaSettings;
import org.lilnet.common.kafka.RegistryAccess;
import org.lilnet.common.ops.Health;
import org.lilnet.common.ops.Service;
import org.lilnet.common.ops.ServiceContext;
import org.lilnet.common.topics.Topics;
import org.lilnet.ingest.cases.CaseJournal;
import org.lilnet.ingest.cases.CaseOpener;
import org.lilnet.ingest.cases.CasePlanner;
import org.lilnet.ingest.cases.CaseRegistry;
import org.lilnet.ingest.dimse.DicomScp;
import org.lilnet.ingest.intake.Intake;
import org.lilnet.ingest.intake.IntakeMetrics;
import org.lilnet.ingest.intake.Reconciler;
import org.lilnet.ingest.intake.Spool;
import org.lilnet.ingest.kafka.CaseEmitter;
import org.lilnet.ingest.kafka.KafkaDeadLetters;
import org.lilnet.ingest.web.StowServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The ingest-service wired: DICOM SCP and STOW-RS in front, {@link Intake} (check, store, record), the case registry
 * and its journal, the opener that writes StudyArrived + DetectTasks in one transaction, dead letters.
 */
public final class IngestService implements Service {

    private static final Logger LOG = LoggerFactory.getLogger(IngestService.class);
    private static final Duration CASE_MEMORY = Duration.ofMinutes(10);

    private final ServiceContext context;
    private final Config config;
    private final Clock clock = Clock.systemUTC();
    private CaseEmitter emitter;
    private KafkaDeadLetters deadLetters;
    private DicomScp scp;
    private StowServer stow;
    private ScheduledExecutorService scheduler;
    private CaseOpener opener;
    private FileBlobStore blobs;

    private volatile boolean started;

    public IngestService(ServiceContext context) {
        this.context = context;
        this.config = context.config();
        // not ready until the listeners are up: /health answers before start() has finished
        context.health().register("startup", () -> started ? Health.Check.up("started") : Health.Check.down("starting"));
    }

    @Override
    public void start() throws Exception {
        String id = context.instanceId();
        Duration wait = config.get(CommonKeys.STARTUP_WAIT);
        RegistryAccess registry = RegistryAccess.from(config);
        Dependencies.awaitKafka(KafkaSettings.admin(config, "ingest-" + id + "-admin"), wait);
        Dependencies.awaitRegistry(registry, wait);

        var studySerde = EventSerdes.valueSerde(Topics.STUDIES, registry);
        var taskSerde = EventSerdes.valueSerde(Topics.DETECT_TASKS, registry);
        var letterSerde = EventSerdes.valueSerde(Topics.DEAD_LETTERS, registry);
        var letterSettings = KafkaSettings.producer(config, "ingest-" + id + "-dead-letters");
        // a send waits at most this long for the broker's metadata; the letter is queued again meanwhile
        letterSettings.putIfAbsent(org.apache.kafka.clients.producer.ProducerConfig.MAX_BLOCK_MS_CONFIG, 5000);
        deadLetters = new KafkaDeadLetters(letterSettings, letterSerde.serializer());
        emitter = new CaseEmitter(() -> {
            var settings = KafkaSettings.transactionalProducer(config, "ingest-" + id + "-cases", "lilnet-ingest-" + id);
            // give up on an unreachable broker in seconds, not the default minute: the case is tried again later
            settings.putIfAbsent(org.apache.kafka.clients.producer.ProducerConfig.MAX_BLOCK_MS_CONFIG, 15_000);
            return settings;
        }, studySerde.serializer(), taskSerde.serializer());
        emitter.start();

        blobs = new FileBlobStore(config.get(CommonKeys.BLOB_STORE_DIR));
        CaseRegistry cases = new CaseRegistry(new CaseJournal(config.get(IngestConfig.STATE_DIR), config.get(IngestConfig.STATE_FSYNC)), clock,
                config.get(IngestConfig.QUIET_PERIOD), CASE_MEMORY);
        cases.restore();
        Intake intake = new Intake(blobs, cases, deadLetters, new IntakeMetrics(context.metrics()),
                new Intake.Policy(config.get(IngestConfig.DECODE_CHECK), config.get(IngestConfig.KEEP_REFUSED)), clock, id);
        new Reconciler(blobs, cases, intake, clock).reconcile(config.get(IngestConfig.RECONCILE_WINDOW));
        Spool spool = new Spool(config.get(IngestConfig.SPOOL_DIR), config.get(IngestConfig.SPOOL_MEMORY_LIMIT),
                config.get(IngestConfig.MAX_INSTANCE_SIZE));

        opener = new CaseOpener(cases, new CasePlanner(config.get(IngestConfig.CHUNK_SLICES), config.get(IngestConfig.PREFERRED_THICKNESS)),
                emitter::emit, clock, context.metrics());
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "case-opener");
            t.setDaemon(true);
            return t;
        });
        scheduler.scheduleWithFixedDelay(this::openCases, 200, 200, TimeUnit.MILLISECONDS);
        Duration retention = config.get(IngestConfig.STATE_RETENTION);
        scheduler.scheduleWithFixedDelay(() -> cases.housekeeping(retention), 1, 10, TimeUnit.MINUTES);

        scp = new DicomScp(new DicomScp.Settings(config.get(IngestConfig.AE_TITLE), config.get(IngestConfig.DICOM_HOST),
                config.get(IngestConfig.DICOM_PORT), new LinkedHashSet<>(config.get(IngestConfig.CALLING_AE_TITLES)),
                config.get(IngestConfig.MAX_ASSOCIATIONS), config.get(IngestConfig.IDLE_TIMEOUT), config.get(IngestConfig.MAX_PDU_LENGTH)),
                intake, spool, context.metrics());
        scp.start();
        if (config.get(IngestConfig.DICOMWEB_ENABLED)) {
            stow = new StowServer(new StowServer.Settings(config.get(IngestConfig.DICOMWEB_HOST), config.get(IngestConfig.DICOMWEB_PORT),
                    config.find(IngestConfig.BEARER_TOKEN).orElse(null), config.get(IngestConfig.DICOMWEB_THREADS)), intake, spool);
            stow.start();
        }
        registerHealth(cases);
        started = true;
        LOG.info("ingest-service ready: DICOM {}@{}, STOW-RS {}, quiet period {}, {} slices per detect task, {} case(s) restored",
                config.get(IngestConfig.AE_TITLE), scp.port(), stow == null ? "off" : "port " + stow.port(), config.get(IngestConfig.QUIET_PERIOD),
                config.get(IngestConfig.CHUNK_SLICES), cases.size());
    }

    private void openCases() {
        try {
            opener.openDue();
        } catch (RuntimeException e) {
            LOG.error("opening cases failed: {}", e.toString(), e);
        }
    }

    private void registerHealth(CaseRegistry cases) {
        Health health = context.health();
        health.register("dicom-listener", () -> scp.listening() ? Health.Check.up("AE " + config.get(IngestConfig.AE_TITLE) + " on port " + scp.port())
                : Health.Check.down("the DICOM listener is not accepting connections"));
        if (stow != null) {
            health.register("stow-rs", () -> stow.running() ? Health.Check.up("port " + stow.port()) : Health.Check.down("STOW-RS stopped"));
        }
        health.register("blob-store", () -> Files.isWritable(blobs.root()) ? Health.Check.up(blobs.root().toString())
                : Health.Check.down(blobs.root() + " is not writable"));
        health.register("kafka", () -> {
            String error = opener.lastError();
            String letters = deadLetters.waiting() == 0 && deadLetters.failures() == 0 ? ""
                    : "; dead letters waiting " + deadLetters.waiting() + ", not written " + deadLetters.failures();
            Duration stuck = opener.writingFor();
            if (stuck.compareTo(Duration.ofSeconds(10)) > 0) {
                return Health.Check.down("cases cannot be written (" + cases.pendingCount() + " waiting): a write has waited for the broker for "
                        + stuck.toSeconds() + " s" + letters);
            }
            return error == null ? Health.Check.up(cases.pendingCount() + " case(s) waiting for their quiet period" + letters)
                    : Health.Check.down("cases cannot be written (" + cases.pendingCount() + " waiting): " + error + letters);
        });
    }

    @Override
    public void close() {
        // stop receiving first, let associations and requests in progress finish, then stop writing
        if (scp != null) {
            scp.stop(Duration.ofSeconds(15));
        }
        if (stow != null) {
            stow.stop(Duration.ofSeconds(15));
        }
        if (scheduler != null) {
            scheduler.shutdown();
            try {
                scheduler.awaitTermination(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (emitter != null) {
            emitter.close();
        }
        if (deadLetters != null) {
            deadLetters.close();
        }
    }
}

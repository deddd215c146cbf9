package org.lilnet.aggregator;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.lilnet.aggregator.kafka.AggregatorTopology;
import org.lilnet.aggregator.kafka.DependencyUnavailable;
import org.lilnet.aggregator.kafka.InputLag;
import org.lilnet.aggregator.kafka.TopicSerdes;
import org.lilnet.common.config.CommonKeys;
import org.lilnet.common.config.Config;
import org.lilnet.common.kafka.Dependencies;
import org.lilnet.common.kafka.EventSerdes;
import org.lilnet.common.kafka.KafkaSettings;
import org.lilnet.common.kafka.RegistryAccess;
import org.lilnet.common.ops.Health;
import org.lilnet.common.ops.Service;
import org.lilnet.common.ops.ServiceContext;
import org.lilnet.common.topics.Topic;
import org.lilnet.common.topics.Topics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

/** The aggregator as a running service: Kafka Streams with exactly-once, health and metrics. */
final class AggregatorService implements Service {

    private static final Logger LOG = LoggerFactory.getLogger(AggregatorService.class);
    /** Pause before a stream thread that failed for want of the registry is replaced: no busy loop while it is down. */
    private static final Duration RETRY_AFTER = Duration.ofSeconds(5);

    private final ServiceContext context;
    private final AggregatorMetrics metrics;
    private final AtomicReference<KafkaStreams.State> state = new AtomicReference<>(KafkaStreams.State.CREATED);
    private volatile String failure;
    private KafkaStreams streams;

    AggregatorService(ServiceContext context) {
        this.context = context;
        this.metrics = new AggregatorMetrics(context.metrics());
    }

    @Override
    public void start() {
        Config config = context.config();
        Duration wait = config.get(CommonKeys.STARTUP_WAIT);
        RegistryAccess registry = RegistryAccess.from(config);
        context.health().register("kafka-streams", this::streamsHealth);
        context.health().register("cases", () -> Health.Check.up(metrics.openCases() + " open cases"));

        Dependencies.awaitKafka(KafkaSettings.admin(config, context.instanceId() + "-startup"), wait);
        Dependencies.awaitRegistry(registry, wait);

        TopicSerdes serdes = new TopicSerdes() {
            @Override
            public <V extends SpecificRecord> Serde<V> valueSerde(Topic<V> topic) {
                return EventSerdes.valueSerde(topic, registry);
            }
        };
        Topology topology = AggregatorTopology.build(serdes, AggregatorConfig.caseSettings(config),
                config.get(AggregatorConfig.TIMER_INTERVAL), metrics, context.instanceId());
        LOG.info("topology:\n{}", topology.describe());

        streams = new KafkaStreams(topology, streamsProperties(config, context.instanceId()));
        KafkaStreams client = streams;
        Set<String> inputs = Set.of(Topics.STUDIES.name(), Topics.PREDICTIONS.name());
        metrics.inputLag(() -> InputLag.records(client.metrics(), inputs));
        streams.setStateListener((now, before) -> {
            state.set(now);
            LOG.info("Kafka Streams {} -> {}", before, now);
            if (now == KafkaStreams.State.ERROR) {
                // /health/live would stay UP while nothing is processed; exiting lets the orchestrator restart us
                // (state stores and offsets are committed transactionally, so a restart resumes exactly).
                LOG.error("Kafka Streams is in ERROR; the process exits so that it is restarted");
                new Thread(() -> System.exit(1), "exit").start();
            }
        });
        streams.setUncaughtExceptionHandler(e -> {
            if (DependencyUnavailable.among(e)) {
                LOG.warn("{}; retrying with a new stream thread in {} s (nothing was committed)", e.getMessage(), RETRY_AFTER.toSeconds());
                sleep(RETRY_AFTER);
                return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
            }
            failure = e.toString();
            LOG.error("stream thread failed; the aggregator stops processing (exactly-once: nothing partial was committed)", e);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
        streams.start();
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static Properties streamsProperties(Config config, String instanceId) {
        Properties props = new Properties();
        Map<String, Object> settings = KafkaSettings.streams(config);
        props.putAll(settings);
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, config.get(AggregatorConfig.APPLICATION_ID));
        props.put(StreamsConfig.CLIENT_ID_CONFIG, instanceId);
        props.put(StreamsConfig.STATE_DIR_CONFIG, config.get(AggregatorConfig.STATE_DIR).toAbsolutePath().toString());
        props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, config.get(AggregatorConfig.STREAM_THREADS));
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, config.get(AggregatorConfig.COMMIT_INTERVAL).toMillis());
        Object asked = settings.get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG);
        if (asked != null && !StreamsConfig.EXACTLY_ONCE_V2.equals(asked)) {
            LOG.warn("kafka.{}={} ignored: the aggregator always runs {} (a crash must never repeat a diagnosis)",
                    StreamsConfig.PROCESSING_GUARANTEE_CONFIG, asked, StreamsConfig.EXACTLY_ONCE_V2);
        }
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        return props;
    }

    private Health.Check streamsHealth() {
        KafkaStreams.State now = state.get();
        String detail = "Kafka Streams " + now + (failure == null ? "" : ": " + failure);
        return switch (now) {
            case RUNNING, REBALANCING -> Health.Check.up(detail);
            default -> Health.Check.down(detail);
        };
    }

    @Override
    public void close() {
        if (streams != null) {
            streams.close(Duration.ofSeconds(30));
        }
    }
}

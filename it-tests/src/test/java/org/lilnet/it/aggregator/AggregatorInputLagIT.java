package org.lilnet.it.aggregator;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.lilnet.common.topics.Topics;
import org.lilnet.it.support.ItPaths;
import org.lilnet.it.support.ItStack;
import org.lilnet.stack.LocalStack;
import org.lilnet.stack.ServiceProcess;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The aggregator's {@code lilnet_aggregator_input_lag_records} on a real broker: a backlog waiting on the predictions
 * topic when the aggregator starts shows as a lag, which falls to 0 once it has worked through it. The backlog is
 * records that are no events (each becomes a dead letter), so that it is large and cheap.
 */
class AggregatorInputLagIT {

    private static final String LAG = "lilnet_aggregator_input_lag_records";
    private static final int BACKLOG = 20_000;

    private final LocalStack stack = ItStack.fresh();
    private ServiceProcess aggregator;

    @AfterEach
    void stop() {
        if (aggregator != null) {
            aggregator.close();
        }
    }

    @Test
    void aBacklogOnTheInputShowsAsLagUntilItIsConsumed() throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(), ProducerConfig.LINGER_MS_CONFIG, 20),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < BACKLOG; i++) {
                producer.send(new ProducerRecord<>(Topics.PREDICTIONS.name(), ("not-a-case-" + i).getBytes(StandardCharsets.UTF_8),
                        "garbage".getBytes(StandardCharsets.UTF_8)));
            }
            producer.flush();
        }

        Path work = ItPaths.newWorkDirectory("aggregator-lag-");
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("kafka.bootstrap.servers", stack.bootstrapServers());
        settings.put("registry.url", stack.registryUrl());
        settings.put("instance.id", "it-aggregator-lag");
        settings.put("aggregator.application.id", "it-aggregator-lag-" + System.nanoTime());
        settings.put("aggregator.state.dir", work.resolve("state").toString());
        aggregator = ServiceProcess.start("aggregator", "org.lilnet.aggregator.AggregatorMain", settings, work, "256m");

        double largest = 0;
        double deadLetters = 0;
        double lag = Double.NaN;
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (deadLetters < BACKLOG || !(lag == 0)) {
            assertThat(System.nanoTime()).as("the backlog consumed within 3 minutes (dead letters %s of %s, lag %s); logs in %s",
                    deadLetters, BACKLOG, lag, work).isLessThan(deadline);
            String text = aggregator.metricsText();
            if (text.contains(LAG)) {
                lag = ServiceProcess.metric(text, LAG, "");
                deadLetters = ServiceProcess.metric(text, "lilnet_aggregator_dead_letters_total", "");
                if (!Double.isNaN(lag)) {
                    largest = Math.max(largest, lag);
                }
            }
            Thread.sleep(50);
        }
        System.out.printf("[it] aggregator input lag: largest %.0f records seen, 0 after the %d-record backlog%n", largest, BACKLOG);
        assertThat(largest).as("the backlog seen as lag while it was consumed").isGreaterThan(0).isLessThanOrEqualTo(BACKLOG);
    }
}

package org.lilnet.launcher.pipeline;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.lilnet.common.kafka.EventSerdes;
import org.lilnet.common.kafka.RegistryAccess;
import org.lilnet.common.topics.Topic;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * What a topic receives, as a read_committed consumer outside any group sees it (as an integration engine would),
 * from its end at the moment the watch is opened, or from its start. Each record is kept with the time it was read.
 * A record that cannot be decoded yet (the registry is away) is read again until it can: nothing is skipped.
 */
public final class TopicWatch<V extends SpecificRecord> implements AutoCloseable {

    /** One record as it arrived. */
    public record Arrival<V>(String key, V value, Instant receivedAt, int partition, long offset) {
    }

    private static final Duration RETRY_DECODE = Duration.ofSeconds(1);

    private final Topic<V> topic;
    private final KafkaConsumer<String, byte[]> consumer;
    private final Deserializer<V> deserializer;
    private final List<Arrival<V>> arrivals = new ArrayList<>();
    private final List<Consumer<Arrival<V>>> listeners = new ArrayList<>();
    private final Thread poller;
    private volatile boolean running = true;
    private volatile String problem;

    private TopicWatch(Topic<V> topic, String bootstrapServers, String registryUrl, boolean fromStart) {
        this.topic = topic;
        this.deserializer = EventSerdes.valueSerde(topic, RegistryAccess.of(registryUrl)).deserializer();
        this.consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed", ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.CLIENT_ID_CONFIG, "lilnet-watch-" + topic.name()),
                new StringDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> partitions = consumer.partitionsFor(topic.name(), Duration.ofSeconds(30)).stream()
                .map(p -> new TopicPartition(topic.name(), p.partition())).toList();
        consumer.assign(partitions);
        if (fromStart) {
            consumer.seekToBeginning(partitions);
        } else {
            consumer.seekToEnd(partitions);
        }
        partitions.forEach(consumer::position); // fix the start now, not at the first poll
        poller = new Thread(this::poll, "watch-" + topic.name());
        poller.setDaemon(true);
        poller.start();
    }

    /** Records written from now on. */
    public static <V extends SpecificRecord> TopicWatch<V> fromEnd(Topic<V> topic, String bootstrapServers, String registryUrl) {
        return new TopicWatch<>(topic, bootstrapServers, registryUrl, false);
    }

    /** Every record the topic still holds, then what comes. */
    public static <V extends SpecificRecord> TopicWatch<V> fromStart(Topic<V> topic, String bootstrapServers, String registryUrl) {
        return new TopicWatch<>(topic, bootstrapServers, registryUrl, true);
    }

    /** Calls {@code listener} for every arrival so far and from now on (on the watch's thread). */
    public TopicWatch<V> onArrival(Consumer<Arrival<V>> listener) {
        synchronized (arrivals) {
            arrivals.forEach(listener);
            listeners.add(listener);
        }
        return this;
    }

    private void poll() {
        try {
            while (running) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    V value;
                    try {
                        value = deserializer.deserialize(r.topic(), r.value());
                    } catch (RuntimeException e) {
                        // e.g. the registry is away and the writer's schema is not cached yet: read it again later
                        problem = "cannot decode " + topic.name() + " partition " + r.partition() + " offset " + r.offset() + ": " + e.getMessage();
                        consumer.seek(new TopicPartition(r.topic(), r.partition()), r.offset());
                        sleep(RETRY_DECODE);
                        break;
                    }
                    problem = null;
                    Arrival<V> arrival = new Arrival<>(r.key(), value, Instant.now(), r.partition(), r.offset());
                    synchronized (arrivals) {
                        arrivals.add(arrival);
                        listeners.forEach(l -> l.accept(arrival));
                        arrivals.notifyAll();
                    }
                }
            }
        } catch (WakeupException e) {
            // closing
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public Topic<V> topic() {
        return topic;
    }

    /** Everything received so far, in arrival order. */
    public List<Arrival<V>> arrivals() {
        synchronized (arrivals) {
            return List.copyOf(arrivals);
        }
    }

    /** The arrivals whose value satisfies a condition. */
    public List<Arrival<V>> where(Predicate<V> condition) {
        return arrivals().stream().filter(a -> condition.test(a.value())).toList();
    }

    /** The arrivals with one key. */
    public List<Arrival<V>> withKey(String key) {
        return arrivals().stream().filter(a -> key.equals(a.key())).toList();
    }

    /** Waits until every key has arrived at least once; the first arrival of each, in the keys' order. */
    public Map<String, Arrival<V>> awaitKeys(Collection<String> keys, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (arrivals) {
            while (true) {
                Map<String, Arrival<V>> first = new LinkedHashMap<>();
                for (String key : keys) {
                    arrivals.stream().filter(a -> key.equals(a.key())).findFirst().ifPresent(a -> first.put(key, a));
                }
                if (first.size() == keys.size()) {
                    return first;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    List<String> missing = keys.stream().filter(k -> !first.containsKey(k)).toList();
                    throw new WatchTimeout(missing.size() + " of " + keys.size() + " expected records did not arrive on " + topic.name()
                            + " within " + timeout.toSeconds() + " s: " + missing + (problem == null ? "" : " (" + problem + ")"), missing);
                }
                arrivals.wait(Math.max(1, Math.min(left / 1_000_000, 500)));
            }
        }
    }

    /** Waits until {@code probe} gives a value (it is asked after each arrival and at least twice a second). */
    public <T> T await(Supplier<T> probe, Duration timeout, String what) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (arrivals) {
            while (true) {
                T value = probe.get();
                if (value != null) {
                    return value;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new WatchTimeout(what + " did not happen on " + topic.name() + " within " + timeout.toSeconds() + " s"
                            + (problem == null ? "" : " (" + problem + ")"), List.of());
                }
                arrivals.wait(Math.max(1, Math.min(left / 1_000_000, 500)));
            }
        }
    }

    /** A wait that ran out of time; {@link #missing} names the keys that did not come. */
    public static final class WatchTimeout extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final List<String> missing;

        WatchTimeout(String message, List<String> missing) {
            super(message);
            this.missing = List.copyOf(missing);
        }

        public List<String> missing() {
            return missing;
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        consumer.wakeup();
        poller.join(10_000);
    }
}

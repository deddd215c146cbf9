package org.lilnet.bench.support;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.lilnet.common.kafka.EventSerdes;
import org.lilnet.common.kafka.RegistryAccess;
import org.lilnet.common.topics.Topic;
import org.lilnet.common.topics.Topics;
import org.lilnet.stack.LocalStack;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;

/** Producing, reading (read_committed) and emptying the catalog's topics, for the benchmarks. */
public final class KafkaTools {

    private final LocalStack stack;
    private final RegistryAccess registry;

    public KafkaTools(LocalStack stack) {
        this.stack = stack;
        this.registry = RegistryAccess.of(stack.registryUrl());
    }

    public <V extends SpecificRecord> void produce(Topic<V> topic, List<V> values, Function<V, String> key) {
        try (Serde<V> serde = EventSerdes.valueSerde(topic, registry);
             KafkaProducer<String, V> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(),
                     ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 2 * 1024 * 1024), new StringSerializer(), serde.serializer())) {
            for (V v : values) {
                producer.send(new ProducerRecord<>(topic.name(), key.apply(v), v));
            }
            producer.flush();
        }
    }

    /**
     * Reads a topic from its start (read_committed), handing each record to {@code onRecord}, until {@code done} says
     * so; fails when {@code alive} turns false (a service died) or time runs out.
     */
    public <V extends SpecificRecord> void read(Topic<V> topic, Consumer<ConsumerRecord<String, V>> onRecord, BooleanSupplier done,
                                                 BooleanSupplier alive, Duration timeout, java.util.function.Supplier<String> whyNot) {
        try (Serde<V> serde = EventSerdes.valueSerde(topic, registry);
             KafkaConsumer<String, V> consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(),
                     ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new StringDeserializer(), serde.deserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic.name()).stream().map(p -> new TopicPartition(topic.name(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!done.getAsBoolean()) {
                if (System.nanoTime() > deadline || !alive.getAsBoolean()) {
                    throw new IllegalStateException((System.nanoTime() > deadline ? "timed out" : "a service stopped") + " reading " + topic.name()
                            + ": " + whyNot.get());
                }
                for (ConsumerRecord<String, V> r : consumer.poll(Duration.ofMillis(200))) {
                    onRecord.accept(r);
                }
            }
        }
    }

    /** A producer that stays open (its metadata and schema ids fetched once, outside any measurement). */
    public <V extends SpecificRecord> Producer<V> producer(Topic<V> topic, Function<V, String> key) {
        return new Producer<>(topic, key);
    }

    public final class Producer<V extends SpecificRecord> implements AutoCloseable {
        private final Topic<V> topic;
        private final Function<V, String> key;
        private final KafkaProducer<String, V> producer;

        private Producer(Topic<V> topic, Function<V, String> key) {
            this.topic = topic;
            this.key = key;
            this.producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(),
                    ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 2 * 1024 * 1024, ProducerConfig.LINGER_MS_CONFIG, 5),
                    new StringSerializer(), EventSerdes.valueSerde(topic, registry).serializer());
        }

        public void send(List<V> values) {
            for (V v : values) {
                producer.send(new ProducerRecord<>(topic.name(), key.apply(v), v));
            }
            producer.flush();
        }

        @Override
        public void close() {
            producer.close();
        }
    }

    /**
     * A read_committed consumer that stays open and reads only what is written after it was opened: a round waits
     * for its own results without paying for a consumer's start (assignment, metadata, positions) inside the clock.
     */
    public <V extends SpecificRecord> Reader<V> reader(Topic<V> topic) {
        return new Reader<>(topic);
    }

    public final class Reader<V extends SpecificRecord> implements AutoCloseable {
        private final Topic<V> topic;
        private final KafkaConsumer<String, V> consumer;

        private Reader(Topic<V> topic) {
            this.topic = topic;
            consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(),
                    ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new StringDeserializer(), EventSerdes.valueSerde(topic, registry).deserializer());
            List<TopicPartition> partitions = consumer.partitionsFor(topic.name()).stream().map(p -> new TopicPartition(topic.name(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            partitions.forEach(consumer::position);   // resolve the positions now, not in the first measured poll
        }

        /** Polls until {@code done} says so, handing each record on; fails when {@code alive} turns false or time runs out. */
        public void until(Consumer<ConsumerRecord<String, V>> onRecord, BooleanSupplier done, BooleanSupplier alive, Duration timeout,
                          java.util.function.Supplier<String> whyNot) {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!done.getAsBoolean()) {
                if (System.nanoTime() > deadline || !alive.getAsBoolean()) {
                    throw new IllegalStateException((System.nanoTime() > deadline ? "timed out" : "a service stopped") + " reading " + topic.name()
                            + ": " + whyNot.get());
                }
                for (ConsumerRecord<String, V> r : consumer.poll(Duration.ofMillis(20))) {
                    onRecord.accept(r);
                }
            }
        }

        @Override
        public void close() {
            consumer.close();
        }
    }

    /** A consumer that stays open (read_committed, from the start of every partition). */
    public <V extends SpecificRecord> KafkaConsumer<String, V> openReader(Topic<V> topic) {
        KafkaConsumer<String, V> consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new StringDeserializer(), EventSerdes.valueSerde(topic, registry).deserializer());
        List<TopicPartition> partitions = consumer.partitionsFor(topic.name()).stream().map(p -> new TopicPartition(topic.name(), p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        return consumer;
    }

    /**
     * Deletes every record of every catalog topic (the topics stay), so that a section's services, whose consumer
     * groups start from the earliest offset, see only that section's records.
     */
    public void emptyTopics() {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers()))) {
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (var description : admin.describeTopics(Topics.ALL.stream().map(Topic::name).toList()).allTopicNames().get(30, TimeUnit.SECONDS).values()) {
                description.partitions().forEach(p -> latest.put(new TopicPartition(description.name(), p.partition()), OffsetSpec.latest()));
            }
            Map<TopicPartition, RecordsToDelete> delete = new HashMap<>();
            admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS).forEach((tp, info) -> delete.put(tp, RecordsToDelete.beforeOffset(info.offset())));
            admin.deleteRecords(delete).all().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("could not empty the pipeline topics", e);
        }
    }
}

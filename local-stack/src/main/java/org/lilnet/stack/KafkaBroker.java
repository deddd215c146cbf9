package org.lilnet.stack;

import org.apache.kafka.common.Uuid;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * A real single-node Apache Kafka broker (KRaft, broker and controller in one process) run from the Maven
 * Central jars: {@code kafka.tools.StorageTool format} once, then {@code kafka.Kafka}. Replication factors are 1
 * for the internal topics (offsets, transactions, share groups), which a single node needs.
 */
public final class KafkaBroker {

    private final StackRuntime runtime;
    private final Path directory;
    private final Path logs;
    private final String host;
    private final int port;
    private final int controllerPort;
    private final String heap;
    private ChildProcess process;

    KafkaBroker(StackRuntime runtime, Path directory, Path logs, String host, int port, int controllerPort, String heap) {
        this.runtime = runtime;
        this.directory = directory;
        this.logs = logs;
        this.host = host;
        this.port = port;
        this.controllerPort = controllerPort;
        this.heap = heap;
    }

    public String bootstrapServers() {
        return host + ":" + port;
    }

    /** Starts the process (formatting the storage on first use); readiness is checked by the caller. */
    synchronized void start() throws IOException, InterruptedException {
        if (process != null && process.isAlive()) {
            return;
        }
        Path config = writeConfig();
        Path logConfig = writeLogConfig();
        Path dataDir = directory.resolve("data");
        if (!Files.exists(dataDir.resolve("meta.properties"))) {
            List<String> format = JavaCommand.main("kafka.tools.StorageTool").classpath(runtime.brokerClasspath()).heap("256m")
                    .property("log4j2.configurationFile", logConfig.toString())
                    .args("format", "--cluster-id", Uuid.randomUuid().toString(), "--config", config.toString(), "--ignore-formatted")
                    .build();
            ChildProcess formatting = ChildProcess.start("kafka-storage-format", format, directory, logs.resolve("broker-format.log"), Map.of());
            Integer exit = formatting.waitFor(Duration.ofMinutes(2));
            if (exit == null || exit != 0) {
                formatting.kill();
                throw new IOException("formatting the Kafka storage failed (exit " + exit + "):\n" + formatting.logTail(20));
            }
        }
        List<String> command = JavaCommand.main("kafka.Kafka").classpath(runtime.brokerClasspath()).heap(heap)
                .jvmOption("-Xms128m").jvmOption("-XX:+UseSerialGC")
                .property("log4j2.configurationFile", logConfig.toString())
                .args(config.toString())
                .build();
        process = ChildProcess.start("kafka-broker", command, directory, logs.resolve("broker.log"), Map.of());
    }

    synchronized void stop(Duration grace) {
        if (process != null) {
            process.stop(grace);
        }
    }

    synchronized void kill() {
        if (process != null) {
            process.kill();
        }
    }

    synchronized ChildProcess process() {
        return process;
    }

    private Path writeConfig() throws IOException {
        Files.createDirectories(directory);
        Properties p = new Properties();
        p.setProperty("process.roles", "broker,controller");
        p.setProperty("node.id", "1");
        p.setProperty("controller.quorum.voters", "1@" + host + ":" + controllerPort);
        p.setProperty("listeners", "PLAINTEXT://" + host + ":" + port + ",CONTROLLER://" + host + ":" + controllerPort);
        p.setProperty("advertised.listeners", "PLAINTEXT://" + host + ":" + port);
        p.setProperty("controller.listener.names", "CONTROLLER");
        p.setProperty("inter.broker.listener.name", "PLAINTEXT");
        p.setProperty("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.setProperty("log.dirs", directory.resolve("data").toString());
        p.setProperty("num.partitions", "1");
        p.setProperty("auto.create.topics.enable", "false");
        p.setProperty("offsets.topic.replication.factor", "1");
        p.setProperty("offsets.topic.num.partitions", "10");
        p.setProperty("transaction.state.log.replication.factor", "1");
        p.setProperty("transaction.state.log.min.isr", "1");
        p.setProperty("transaction.state.log.num.partitions", "10");
        p.setProperty("share.coordinator.state.topic.replication.factor", "1");
        p.setProperty("share.coordinator.state.topic.min.isr", "1");
        p.setProperty("group.initial.rebalance.delay.ms", "0");
        p.setProperty("num.network.threads", "2");
        p.setProperty("num.io.threads", "4");
        p.setProperty("log.retention.hours", "168");
        p.setProperty("message.max.bytes", String.valueOf(2 * 1024 * 1024 + 1024));
        Path file = directory.resolve("server.properties");
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            p.store(w, "written by lilnet local stack");
        }
        return file;
    }

    private Path writeLogConfig() throws IOException {
        Path file = directory.resolve("log4j2.properties");
        Files.writeString(file, String.join("\n",
                "status = warn",
                "appender.console.type = Console",
                "appender.console.name = STDOUT",
                "appender.console.layout.type = PatternLayout",
                "appender.console.layout.pattern = [%d] %p %m (%c)%n",
                "rootLogger.level = WARN",
                "rootLogger.appenderRef.stdout.ref = STDOUT",
                "logger.server.name = kafka.server.KafkaRaftServer",
                "logger.server.level = INFO",
                ""), StandardCharsets.UTF_8);
        return file;
    }
}

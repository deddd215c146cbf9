package org.lilnet.it.ingest;

import org.lilnet.it.support.ItPaths;
import org.lilnet.stack.ChildProcess;
import org.lilnet.stack.FreePorts;
import org.lilnet.stack.JavaCommand;
import org.lilnet.stack.LocalStack;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The ingest-service as a real process on the test stack: its ports, its blob store, start, kill, restart. */
final class IngestProcess implements AutoCloseable {

    static final String AE_TITLE = "LILNET";

    final Path work;
    final Path blobs;
    final int httpPort;
    final int dicomPort;
    final int stowPort;
    private final Path config;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
    private final List<ChildProcess> processes = new ArrayList<>();
    private ChildProcess current;

    IngestProcess(String name, LocalStack stack, Map<String, String> extra) throws IOException {
        work = ItPaths.newWorkDirectory(name + "-");
        blobs = work.resolve("blobs");
        int[] ports = FreePorts.allocate(3);
        httpPort = ports[0];
        dicomPort = ports[1];
        stowPort = ports[2];
        config = work.resolve("ingest.properties");
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("kafka.bootstrap.servers", stack.bootstrapServers());
        settings.put("registry.url", stack.registryUrl());
        settings.put("instance.id", "it-" + name);
        settings.put("http.host", "127.0.0.1");
        settings.put("http.port", String.valueOf(httpPort));
        settings.put("dicom.host", "127.0.0.1");
        settings.put("dicom.port", String.valueOf(dicomPort));
        settings.put("dicom.ae-title", AE_TITLE);
        settings.put("dicomweb.host", "127.0.0.1");
        settings.put("dicomweb.port", String.valueOf(stowPort));
        settings.put("blob.store.dir", blobs.toString());
        settings.put("ingest.state.dir", work.resolve("state").toString());
        settings.put("ingest.spool.dir", work.resolve("spool").toString());
        settings.putAll(extra);
        StringBuilder text = new StringBuilder();
        settings.forEach((k, v) -> text.append(k).append('=').append(v.replace("\\", "\\\\")).append('\n'));
        Files.writeString(config, text);
        Files.createDirectories(work.resolve("tmp"));
    }

    /** Starts the service and waits until /health is UP. */
    IngestProcess start() throws Exception {
        List<String> command = JavaCommand.main("org.lilnet.ingest.IngestMain").heap("256m")
                .jvmOption("-XX:+UseSerialGC").property("java.io.tmpdir", work.resolve("tmp").toString())
                .args("--config", config.toString()).build();
        current = ChildProcess.start("ingest", command, work, work.resolve("ingest.log"), Map.of());
        processes.add(current);
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (System.nanoTime() < deadline) {
            if (!current.isAlive()) {
                throw new AssertionError("the ingest-service exited:\n" + current.logTail(60));
            }
            try {
                if (get("/health").statusCode() == 200) {
                    System.out.println("[it] ingest-service up (pid " + current.pid() + "): DICOM " + dicomPort + ", STOW-RS " + stowPort
                            + ", ops " + httpPort);
                    return this;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(250);
        }
        throw new AssertionError("the ingest-service was not healthy within 120 s:\n" + current.logTail(60));
    }

    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    String stowUrl() {
        return "http://127.0.0.1:" + stowPort + "/studies";
    }

    boolean alive() {
        return current != null && current.isAlive();
    }

    ChildProcess process() {
        return current;
    }

    /** SIGKILL: a crash. */
    void kill() {
        current.kill();
    }

    String logTail(int lines) {
        return current == null ? "" : current.logTail(lines);
    }

    String log() throws IOException {
        return Files.readString(work.resolve("ingest.log"));
    }

    @Override
    public void close() {
        processes.forEach(ChildProcess::close);
    }
}

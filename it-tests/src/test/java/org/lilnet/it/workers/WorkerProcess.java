package org.lilnet.it.workers;

import org.lilnet.stack.ChildProcess;
import org.lilnet.stack.FreePorts;
import org.lilnet.stack.JavaCommand;

import java.io.IOException;
import java.io.Writer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A detector or classifier worker as a real process (this JVM's class path, bounded heap), with its ops endpoint. */
final class WorkerProcess implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final String name;
    private final ChildProcess process;
    private final int httpPort;

    private WorkerProcess(String name, ChildProcess process, int httpPort) {
        this.name = name;
        this.process = process;
        this.httpPort = httpPort;
    }

    /** Starts {@code mainClass} with the given configuration (plus an http.port and instance.id of its own). */
    static WorkerProcess start(String name, String mainClass, Path work, Map<String, String> config) throws IOException {
        int port = FreePorts.allocate(1)[0];
        Properties properties = new Properties();
        properties.putAll(config);
        properties.setProperty("http.port", String.valueOf(port));
        properties.setProperty("instance.id", name);
        properties.setProperty("temp.dir", work.resolve("tmp").toString());
        Files.createDirectories(work.resolve("tmp"));
        Path file = work.resolve(name + ".properties");
        try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            properties.store(out, name);
        }
        var command = JavaCommand.main(mainClass).heap("384m").jvmOption("-XX:+UseSerialGC")
                .property("java.io.tmpdir", work.resolve("tmp").toString()).args("--config", file.toString()).build();
        return new WorkerProcess(name, ChildProcess.start(name, command, work, work.resolve("logs").resolve(name + ".log"), Map.of()), port);
    }

    /** Waits until the service says it started (models loaded, group joined) and /health answers UP. */
    WorkerProcess awaitStarted(Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited at start-up:\n" + process.logTail(40));
            }
            String log = Files.exists(process.log()) ? Files.readString(process.log()) : "";
            if (log.contains(" started") && health().statusCode() == 200) {
                return this;
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException(name + " did not start within " + timeout.toSeconds() + " s:\n" + process.logTail(40));
    }

    HttpResponse<String> health() throws Exception {
        return get("/health");
    }

    /** The sum of a Prometheus metric's samples over all label sets (e.g. {@code lilnet_worker_tasks_total}); 0 when absent. */
    double metric(String name) throws Exception {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "(\\{[^}]*})?\\s+(\\S+)$").matcher(get("/metrics").body());
        double sum = 0;
        while (m.find()) {
            sum += Double.parseDouble(m.group(2));
        }
        return sum;
    }

    String metricsText() throws Exception {
        return get("/metrics").body();
    }

    private HttpResponse<String> get(String path) throws Exception {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path)).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            return new FailedResponse(path, e);
        }
    }

    String name() {
        return name;
    }

    ChildProcess process() {
        return process;
    }

    String log() throws IOException {
        return Files.readString(process.log());
    }

    /** SIGKILL: a crash. */
    void kill() {
        process.kill();
    }

    /** SIGTERM and wait; returns the exit code. */
    int stop(Duration grace) {
        return process.stop(grace);
    }

    @Override
    public void close() {
        process.stop(Duration.ofSeconds(30));
    }

    @Override
    public String toString() {
        return name + " (pid " + process.pid() + ", port " + httpPort + ")";
    }

    /** Not reachable (yet, or any more). */
    private record FailedResponse(String path, IOException error) implements HttpResponse<String> {
        @Override public int statusCode() { return -1; }
        @Override public HttpRequest request() { return null; }
        @Override public java.util.Optional<HttpResponse<String>> previousResponse() { return java.util.Optional.empty(); }
        @Override public java.net.http.HttpHeaders headers() { return java.net.http.HttpHeaders.of(Map.of(), (a, b) -> true); }
        @Override public String body() { return ""; }
        @Override public java.util.Optional<javax.net.ssl.SSLSession> sslSession() { return java.util.Optional.empty(); }
        @Override public URI uri() { return URI.create("http://127.0.0.1" + path); }
        @Override public HttpClient.Version version() { return HttpClient.Version.HTTP_1_1; }
    }
}

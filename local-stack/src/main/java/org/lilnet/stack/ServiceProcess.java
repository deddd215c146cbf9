package org.lilnet.stack;

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
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A LiLNet service as its own process, as in production: a configuration file written from the given settings, a
 * bounded heap, its own temp directory (ONNX Runtime leaves folders there), a log file, and its operations endpoint
 * to wait on and scrape. Used by {@code lilnet run}, the integration tests and the benchmarks alike.
 */
public final class ServiceProcess implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final String name;
    private final String mainClass;
    private final String heap;
    private final Path work;
    private final Path configFile;
    private final int httpPort;
    private ChildProcess process;

    private ServiceProcess(String name, String mainClass, String heap, Path work, Path configFile, int httpPort) {
        this.name = name;
        this.mainClass = mainClass;
        this.heap = heap;
        this.work = work;
        this.configFile = configFile;
        this.httpPort = httpPort;
    }

    /**
     * Writes {@code <work>/<name>.properties} and starts the service. {@code http.port} is allocated when absent,
     * {@code http.host} defaults to loopback and {@code instance.id} to the name.
     */
    public static ServiceProcess start(String name, String mainClass, Map<String, String> settings, Path work, String heap)
            throws IOException {
        Map<String, String> all = new LinkedHashMap<>(settings);
        all.putIfAbsent("http.host", "127.0.0.1");
        all.putIfAbsent("instance.id", name);
        if (!all.containsKey("http.port") || all.get("http.port").equals("0")) {
            all.put("http.port", String.valueOf(FreePorts.allocate(1)[0]));
        }
        Files.createDirectories(work);
        Path file = work.resolve(name + ".properties");
        Properties properties = new Properties();
        properties.putAll(all);
        try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            properties.store(out, name + ", written by ServiceProcess");
        }
        ServiceProcess service = new ServiceProcess(name, mainClass, heap, work, file, Integer.parseInt(all.get("http.port")));
        service.launch();
        return service;
    }

    private void launch() throws IOException {
        Path tmp = work.resolve("tmp").resolve(name);
        Files.createDirectories(tmp);
        var command = JavaCommand.main(mainClass).heap(heap).jvmOption("-XX:+UseSerialGC")
                .property("java.io.tmpdir", tmp.toString())
                .args("--config", configFile.toString()).build();
        process = ChildProcess.start(name, command, work, work.resolve("logs").resolve(name + ".log"), Map.of());
    }

    /** Starts the service again with the same configuration (after a kill or a stop). */
    public ServiceProcess restart() throws IOException {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException(name + " is still running");
        }
        launch();
        return this;
    }

    /** Waits until {@code /health} answers 200; fails with the end of the log when the process exits or time runs out. */
    public ServiceProcess awaitHealthy(Duration timeout) throws InterruptedException {
        return awaitHealth(r -> r.statusCode() == 200, "healthy", timeout);
    }

    /** Waits until the health answer satisfies a condition (e.g. a Kafka Streams state in its body). */
    public ServiceProcess awaitHealth(Predicate<HttpResponse<String>> condition, String what, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited before it was " + what + ":\n" + process.logTail(60));
            }
            if (condition.test(get("/health"))) {
                return this;
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException(name + " was not " + what + " within " + timeout.toSeconds() + " s:\n" + process.logTail(60));
    }

    /** GET on the operations endpoint; status -1 and an empty body when it does not answer. */
    public HttpResponse<String> get(String path) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path)).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            return Unreachable.at(URI.create("http://127.0.0.1:" + httpPort + path));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Unreachable.at(URI.create("http://127.0.0.1:" + httpPort + path));
        }
    }

    /** The Prometheus text of {@code /metrics}. */
    public String metricsText() {
        return get("/metrics").body();
    }

    /** Sum of a metric's samples whose labels contain {@code labelFilter} ("" for all); 0 when absent. */
    public double metric(String metricName, String labelFilter) {
        return metric(metricsText(), metricName, labelFilter);
    }

    /** Sum of a metric's samples in a Prometheus text whose labels contain {@code labelFilter}; 0 when absent. */
    public static double metric(String prometheusText, String metricName, String labelFilter) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(metricName) + "(\\{[^}]*})?\\s+(\\S+)$").matcher(prometheusText);
        double sum = 0;
        while (m.find()) {
            String labels = m.group(1) == null ? "" : m.group(1);
            if (labels.contains(labelFilter)) {
                sum += Double.parseDouble(m.group(2));
            }
        }
        return sum;
    }

    public String name() {
        return name;
    }

    public int httpPort() {
        return httpPort;
    }

    public Path work() {
        return work;
    }

    public Path configFile() {
        return configFile;
    }

    public ChildProcess process() {
        return process;
    }

    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    public Path log() {
        return process.log();
    }

    /** The whole log so far. */
    public String logText() {
        try {
            return Files.exists(log()) ? Files.readString(log(), StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "";
        }
    }

    public String logTail(int lines) {
        return process == null ? "" : process.logTail(lines);
    }

    /** SIGKILL: a crash. */
    public void kill() {
        process.kill();
    }

    /** SIGTERM, wait up to {@code grace}, then SIGKILL; the exit code. */
    public int stop(Duration grace) {
        return process.stop(grace);
    }

    @Override
    public void close() {
        if (process != null) {
            process.stop(Duration.ofSeconds(30));
        }
    }

    @Override
    public String toString() {
        return name + " (pid " + (process == null ? "-" : process.pid()) + ", ops port " + httpPort + ")";
    }

    /** The answer of an endpoint that does not listen (yet, or any more). */
    private record Unreachable(URI uri) implements HttpResponse<String> {
        static Unreachable at(URI uri) {
            return new Unreachable(uri);
        }

        @Override
        public int statusCode() {
            return -1;
        }

        @Override
        public HttpRequest request() {
            return HttpRequest.newBuilder(uri).build();
        }

        @Override
        public java.util.Optional<HttpResponse<String>> previousResponse() {
            return java.util.Optional.empty();
        }

        @Override
        public java.net.http.HttpHeaders headers() {
            return java.net.http.HttpHeaders.of(Map.of(), (a, b) -> true);
        }

        @Override
        public String body() {
            return "";
        }

        @Override
        public java.util.Optional<javax.net.ssl.SSLSession> sslSession() {
            return java.util.Optional.empty();
        }

        @Override
        public HttpClient.Version version() {
            return HttpClient.Version.HTTP_1_1;
        }
    }
}

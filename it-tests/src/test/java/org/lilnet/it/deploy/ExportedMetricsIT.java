package org.lilnet.it.deploy;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.lilnet.common.topics.Topics;
import org.lilnet.deploy.DeployTree;
import org.lilnet.deploy.ExportedMetrics;
import org.lilnet.deploy.ManifestChecks;
import org.lilnet.inference.TestModels;
import org.lilnet.it.support.ItPaths;
import org.lilnet.it.support.ItStack;
import org.lilnet.launcher.ServiceCatalog;
import org.lilnet.launcher.ServiceCatalog.ServiceEntry;
import org.lilnet.phantom.GeneratedStudy;
import org.lilnet.phantom.PhantomGenerator;
import org.lilnet.phantom.PhantomOptions;
import org.lilnet.stack.ChildProcess;
import org.lilnet.stack.FreePorts;
import org.lilnet.stack.JavaCommand;
import org.lilnet.stack.LocalStack;

import java.io.ByteArrayOutputStream;
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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The series the four services really export, from their {@code /metrics} after one phantom study went through the
 * whole pipeline (real broker, registry and service processes; the small test models) with a refused instance and an
 * unreadable prediction record, so that the meters registered on first use exist too. It checks the manifests'
 * metrics against this live scrape and keeps {@value ExportedMetrics#FILE} (what the fast manifest test reads) in step:
 * a lilnet_* series the file lacks, or a lilnet_* series in the file that no service exports any more, fails it.
 * {@code -Dlilnet.metrics.record=true} rewrites the file.
 */
class ExportedMetricsIT {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

    private final List<ChildProcess> started = new ArrayList<>();

    @AfterEach
    void stopServices() {
        started.forEach(p -> p.stop(Duration.ofSeconds(20)));
    }

    @Test
    void manifestsUseOnlySeriesTheServicesExport() throws Exception {
        LocalStack stack = ItStack.fresh();
        Path work = ItPaths.newWorkDirectory("exported-metrics-");
        Path blobs = work.resolve("blobs");
        Path manifest = TestModels.copyTo(work.resolve("models"));
        int[] ports = FreePorts.allocate(6);
        Map<String, Integer> httpPorts = new LinkedHashMap<>();

        Map<String, String> common = Map.of("kafka.bootstrap.servers", stack.bootstrapServers(), "registry.url", stack.registryUrl());
        start(work, ServiceCatalog.AGGREGATOR, ports[0], httpPorts, common, Map.of(
                "aggregator.state.dir", work.resolve("aggregator").toString(),
                "aggregator.single-phase.grace", "1s"));
        for (ServiceEntry worker : List.of(ServiceCatalog.DETECTOR, ServiceCatalog.CLASSIFIER)) {
            start(work, worker, worker == ServiceCatalog.DETECTOR ? ports[1] : ports[2], httpPorts, common, Map.of(
                    "blob.store.dir", blobs.toString(),
                    "models.manifest", manifest.toString(),
                    "temp.dir", work.resolve("tmp-" + worker.name()).toString()));
        }
        start(work, ServiceCatalog.INGEST, ports[3], httpPorts, common, Map.of(
                "blob.store.dir", blobs.toString(),
                "dicom.port", String.valueOf(ports[4]),
                "dicomweb.port", String.valueOf(ports[5]),
                "ingest.quiet-period", "1s",
                "ingest.state.dir", work.resolve("ingest/state").toString(),
                "ingest.spool.dir", work.resolve("ingest/spool").toString()));
        for (ServiceEntry service : ServiceCatalog.ALL) {
            awaitHealthy(service, httpPorts.get(service.name()));
        }

        // one small two-phase study over STOW-RS, and a part that is no DICOM at all (refused)
        GeneratedStudy study = new PhantomGenerator(PhantomOptions.defaults().withSlicesPerSeries(6))
                .generate(1, 11L, work.resolve("studies")).get(0);
        HttpResponse<String> stow = stow("http://127.0.0.1:" + ports[5] + "/studies", study.allFiles(),
                "this is not a DICOM file".getBytes(StandardCharsets.US_ASCII));
        assertThat(stow.statusCode()).as(stow.body()).isIn(200, 202);
        // the same study's first slice over DICOM C-STORE (dcmtk's storescu, as a PACS would send it)
        Process storescu = new ProcessBuilder("storescu", "-aec", "LILNET", "127.0.0.1", String.valueOf(ports[4]),
                study.allFiles().get(0).toString()).redirectErrorStream(true).start();
        assertThat(storescu.waitFor()).as(new String(storescu.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isZero();
        // a record on the predictions topic that is not an event: the aggregator dead-letters it
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers()), new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(Topics.PREDICTIONS.name(), "not-a-case".getBytes(StandardCharsets.UTF_8),
                    "garbage".getBytes(StandardCharsets.UTF_8))).get();
        }

        int aggregatorPort = httpPorts.get(ServiceCatalog.AGGREGATOR.name());
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (sum(scrape(aggregatorPort), "lilnet_aggregator_diagnoses_total") < 1
                || sum(scrape(aggregatorPort), "lilnet_aggregator_dead_letters_total") < 1) {
            assertThat(System.nanoTime()).as("a diagnosis and a dead letter at the aggregator within 3 minutes; logs in " + work)
                    .isLessThan(deadline);
            Thread.sleep(500);
        }

        Map<String, Map<String, Set<String>>> live = new TreeMap<>();
        for (ServiceEntry service : ServiceCatalog.ALL) {
            live.put(service.name(), ExportedMetrics.parseExposition(scrape(httpPorts.get(service.name()))));
        }
        Path root = ItPaths.repoRoot();
        if (Boolean.getBoolean("lilnet.metrics.record")) {
            Files.writeString(root.resolve(ExportedMetrics.FILE), ExportedMetrics.format(live), StandardCharsets.UTF_8);
        }

        // the manifests against the live scrape: nothing they use may be missing
        ManifestChecks checks = new ManifestChecks(DeployTree.load(root), new ExportedMetrics(live));
        assertThat(checks.metrics()).as("metrics the manifests use but the running services do not export").isEmpty();

        // the recorded file against the live scrape, for our own series (JVM series come and go with the GC's work)
        Map<String, Map<String, Set<String>>> recorded = ExportedMetrics.read(root).byService();
        for (ServiceEntry service : ServiceCatalog.ALL) {
            Map<String, Set<String>> ours = new TreeMap<>(live.get(service.name()));
            ours.keySet().removeIf(name -> !name.startsWith("lilnet_"));
            Map<String, Set<String>> inFile = new TreeMap<>(recorded.getOrDefault(service.name(), Map.of()));
            inFile.keySet().removeIf(name -> !name.startsWith("lilnet_"));
            assertThat(inFile).as(ExportedMetrics.FILE + " for " + service.name()
                    + " (rerun with -Dlilnet.metrics.record=true and commit the file)").isEqualTo(ours);
        }
    }

    private void start(Path work, ServiceEntry service, int httpPort, Map<String, Integer> httpPorts, Map<String, String> common,
                       Map<String, String> own) throws IOException {
        Properties properties = new Properties();
        properties.putAll(common);
        properties.putAll(own);
        properties.setProperty("http.port", String.valueOf(httpPort));
        properties.setProperty("instance.id", service.name() + "-it");
        Path file = work.resolve(service.name() + ".properties");
        try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            properties.store(out, service.name());
        }
        Path tmp = Files.createDirectories(work.resolve("tmp-" + service.name()));
        List<String> command = JavaCommand.main(service.mainClass()).heap(service.heap()).jvmOption("-XX:+UseSerialGC")
                .property("java.io.tmpdir", tmp.toString()).args("--config", file.toString()).build();
        started.add(ChildProcess.start(service.name(), command, work, work.resolve("logs").resolve(service.name() + ".log"), Map.of()));
        httpPorts.put(service.name(), httpPort);
    }

    private void awaitHealthy(ServiceEntry service, int port) throws Exception {
        ChildProcess process = started.stream().filter(p -> p.name().equals(service.name())).findFirst().orElseThrow();
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(service.name() + " exited:\n" + process.logTail(40));
            }
            if (get(port, "/health").statusCode() == 200) {
                return;
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException(service.name() + " not healthy within 2 minutes:\n" + process.logTail(40));
    }

    private static String scrape(int port) throws Exception {
        return get(port, "/metrics").body();
    }

    private static HttpResponse<String> get(int port, String path) throws InterruptedException {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            return new Unreachable();
        }
    }

    private static double sum(String exposition, String sample) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(sample) + "(\\{[^}]*})?\\s+(\\S+)$").matcher(exposition);
        double total = 0;
        while (m.find()) {
            total += Double.parseDouble(m.group(2));
        }
        return total;
    }

    private static HttpResponse<String> stow(String url, List<Path> files, byte[] junk) throws IOException, InterruptedException {
        String boundary = "lilnet-" + UUID.randomUUID();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        List<byte[]> parts = new ArrayList<>();
        for (Path f : files) {
            parts.add(Files.readAllBytes(f));
        }
        parts.add(junk);
        for (byte[] part : parts) {
            body.writeBytes(("--" + boundary + "\r\nContent-Type: application/dicom\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            body.writeBytes(part);
            body.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        body.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMinutes(2))
                .header("Content-Type", "multipart/related; type=\"application/dicom\"; boundary=" + boundary)
                .header("Accept", "application/dicom+json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** No answer (not listening yet). */
    private static final class Unreachable implements HttpResponse<String> {
        @Override public int statusCode() { return -1; }
        @Override public HttpRequest request() { return null; }
        @Override public java.util.Optional<HttpResponse<String>> previousResponse() { return java.util.Optional.empty(); }
        @Override public java.net.http.HttpHeaders headers() { return java.net.http.HttpHeaders.of(Map.of(), (a, b) -> true); }
        @Override public String body() { return ""; }
        @Override public java.util.Optional<javax.net.ssl.SSLSession> sslSession() { return java.util.Optional.empty(); }
        @Override public URI uri() { return null; }
        @Override public HttpClient.Version version() { return HttpClient.Version.HTTP_1_1; }
    }
}

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
import org.lilnet.stack.FreePorts;
import org.lilnet.stack.ServiceProcess;
import org.lilnet.stack.LocalStack;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
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
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

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

    private final Map<String, ServiceProcess> services = new LinkedHashMap<>();

    @AfterEach
    void stopServices() {
        services.values().forEach(p -> p.stop(Duration.ofSeconds(20)));
    }

    @Test
    void manifestsUseOnlySeriesTheServicesExport() throws Exception {
        LocalStack stack = ItStack.fresh();
        Path work = ItPaths.newWorkDirectory("exported-metrics-");
        Path blobs = work.resolve("blobs");
        Path manifest = TestModels.copyTo(work.resolve("models"));
        int[] ports = FreePorts.allocate(2);

        Map<String, String> common = Map.of("kafka.bootstrap.servers", stack.bootstrapServers(), "registry.url", stack.registryUrl());
        start(work, ServiceCatalog.AGGREGATOR, common, Map.of(
                "aggregator.state.dir", work.resolve("aggregator").toString(),
                "aggregator.single-phase.grace", "1s"));
        for (ServiceEntry worker : List.of(ServiceCatalog.DETECTOR, ServiceCatalog.CLASSIFIER)) {
            start(work, worker, common, Map.of(
                    "blob.store.dir", blobs.toString(),
                    "models.manifest", manifest.toString(),
                    "temp.dir", work.resolve("tmp-" + worker.name()).toString()));
        }
        start(work, ServiceCatalog.INGEST, common, Map.of(
                "blob.store.dir", blobs.toString(),
                "dicom.port", String.valueOf(ports[0]),
                "dicomweb.port", String.valueOf(ports[1]),
                "ingest.quiet-period", "1s",
                "ingest.state.dir", work.resolve("ingest/state").toString(),
                "ingest.spool.dir", work.resolve("ingest/spool").toString()));
        for (ServiceProcess service : services.values()) {
            service.awaitHealthy(Duration.ofMinutes(2));
        }

        // one small two-phase study over STOW-RS, and a part that is no DICOM at all (refused)
        GeneratedStudy study = new PhantomGenerator(PhantomOptions.defaults().withSlicesPerSeries(6))
                .generate(1, 11L, work.resolve("studies")).get(0);
        HttpResponse<String> stow = stow("http://127.0.0.1:" + ports[1] + "/studies", study.allFiles(),
                "this is not a DICOM file".getBytes(StandardCharsets.US_ASCII));
        assertThat(stow.statusCode()).as(stow.body()).isIn(200, 202);
        // the same study's first slice over DICOM C-STORE (dcmtk's storescu, as a PACS would send it)
        Process storescu = new ProcessBuilder("storescu", "-aec", "LILNET", "127.0.0.1", String.valueOf(ports[0]),
                study.allFiles().get(0).toString()).redirectErrorStream(true).start();
        assertThat(storescu.waitFor()).as(new String(storescu.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isZero();
        // a record on the predictions topic that is not an event: the aggregator dead-letters it
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers()), new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(Topics.PREDICTIONS.name(), "not-a-case".getBytes(StandardCharsets.UTF_8),
                    "garbage".getBytes(StandardCharsets.UTF_8))).get();
        }

        ServiceProcess aggregator = services.get(ServiceCatalog.AGGREGATOR.name());
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (aggregator.metric("lilnet_aggregator_diagnoses_total", "") < 1
                || aggregator.metric("lilnet_aggregator_dead_letters_total", "") < 1) {
            assertThat(System.nanoTime()).as("a diagnosis and a dead letter at the aggregator within 3 minutes; logs in " + work)
                    .isLessThan(deadline);
            Thread.sleep(500);
        }

        Map<String, Map<String, Set<String>>> live = new TreeMap<>();
        for (ServiceEntry service : ServiceCatalog.ALL) {
            live.put(service.name(), ExportedMetrics.parseExposition(services.get(service.name()).metricsText()));
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

    private void start(Path work, ServiceEntry service, Map<String, String> common, Map<String, String> own) throws IOException {
        Map<String, String> settings = new LinkedHashMap<>(common);
        settings.putAll(own);
        settings.put("instance.id", service.name() + "-it");
        services.put(service.name(), ServiceProcess.start(service.name(), service.mainClass(), settings, work, service.heap()));
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
}

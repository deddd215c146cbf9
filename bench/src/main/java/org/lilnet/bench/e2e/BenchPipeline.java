package org.lilnet.bench.e2e;

import org.lilnet.launcher.ServiceCatalog;
import org.lilnet.stack.FreePorts;
import org.lilnet.stack.LocalStack;
import org.lilnet.stack.ServiceProcess;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The four services of the pipeline as processes on the run's broker and registry, one instance each, sharing a blob
 * store, with the heaps of {@link ServiceCatalog}.
 */
final class BenchPipeline implements AutoCloseable {

    private final List<ServiceProcess> services = new ArrayList<>();
    private final int dicomPort;

    private BenchPipeline(int dicomPort) {
        this.dicomPort = dicomPort;
    }

    /**
     * @param quietPeriod the ingest-service's stability quiet period
     * @param threads     cores of each worker: as many inference streams of one ONNX Runtime thread
     */
    static BenchPipeline start(LocalStack stack, Path work, Path manifest, int threads, Duration quietPeriod) throws Exception {
        int[] ports = FreePorts.allocate(2);
        BenchPipeline p = new BenchPipeline(ports[0]);
        String run = String.valueOf(System.nanoTime());
        try {
            Map<String, String> ingest = common(stack, work);
            ingest.put("dicom.host", "127.0.0.1");
            ingest.put("dicom.port", String.valueOf(ports[0]));
            ingest.put("dicomweb.host", "127.0.0.1");
            ingest.put("dicomweb.port", String.valueOf(ports[1]));
            ingest.put("ingest.state.dir", work.resolve("ingest-state").toString());
            ingest.put("ingest.spool.dir", work.resolve("ingest-spool").toString());
            ingest.put("ingest.quiet-period", quietPeriod.toMillis() + "ms");
            for (String worker : List.of("detector", "classifier")) {
                Map<String, String> c = common(stack, work);
                c.put("models.manifest", manifest.toString());
                c.put("worker.inference.streams", String.valueOf(threads));
                c.put("inference.intra.op.threads", "1");
                c.put("consumer.group", "bench-" + worker + "-" + run);
                c.put("temp.dir", work.resolve("tmp").resolve(worker).toString());
                p.add(worker.equals("detector") ? ServiceCatalog.DETECTOR : ServiceCatalog.CLASSIFIER, c, work);
            }
            Map<String, String> aggregator = common(stack, work);
            aggregator.remove("blob.store.dir");
            aggregator.put("aggregator.application.id", "bench-aggregator-" + run);
            aggregator.put("aggregator.state.dir", work.resolve("aggregator-state").toString());
            p.add(ServiceCatalog.AGGREGATOR, aggregator, work);
            p.add(ServiceCatalog.INGEST, ingest, work);
            for (ServiceProcess s : p.services) {
                if (s.name().equals(ServiceCatalog.AGGREGATOR.name())) {
                    s.awaitHealth(h -> h.body().contains("Kafka Streams RUNNING"), "running", Duration.ofMinutes(3));
                } else {
                    s.awaitHealthy(Duration.ofMinutes(3));
                }
            }
            return p;
        } catch (Exception | Error e) {
            p.close();
            throw e;
        }
    }

    private static Map<String, String> common(LocalStack stack, Path work) {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("kafka.bootstrap.servers", stack.bootstrapServers());
        c.put("registry.url", stack.registryUrl());
        c.put("blob.store.dir", work.resolve("blobs").toString());
        return c;
    }

    private void add(ServiceCatalog.ServiceEntry entry, Map<String, String> config, Path work) throws IOException {
        services.add(ServiceProcess.start(entry.name(), entry.mainClass(), config, work, entry.heap()));
    }

    int dicomPort() {
        return dicomPort;
    }

    /** The services in pipeline order: ingest-service, detector-worker, classifier-worker, aggregator. */
    List<ServiceProcess> services() {
        List<ServiceProcess> ordered = new ArrayList<>();
        for (ServiceCatalog.ServiceEntry e : ServiceCatalog.ALL) {
            services.stream().filter(s -> s.name().equals(e.name())).findFirst().ifPresent(ordered::add);
        }
        return ordered;
    }

    boolean allAlive() {
        return services.stream().allMatch(ServiceProcess::isAlive);
    }

    String logTails() {
        StringBuilder out = new StringBuilder();
        for (ServiceProcess s : services) {
            out.append("--- ").append(s.name()).append(s.isAlive() ? "" : " (exited)").append('\n').append(s.logTail(15)).append('\n');
        }
        return out.toString();
    }

    @Override
    public void close() {
        for (int i = services.size() - 1; i >= 0; i--) {
            services.get(i).close();
        }
    }
}

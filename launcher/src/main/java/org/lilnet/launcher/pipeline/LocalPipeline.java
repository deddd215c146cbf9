package org.lilnet.launcher.pipeline;

import org.lilnet.ingest.IngestConfig;
import org.lilnet.launcher.ServiceCatalog;
import org.lilnet.launcher.ServiceCatalog.ServiceEntry;
import org.lilnet.stack.FreePorts;
import org.lilnet.stack.LocalStack;
import org.lilnet.stack.ServiceProcess;
import org.lilnet.stack.StackOptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The whole pipeline on one machine, as in production: a broker and a registry (a {@link LocalStack} started here, one
 * given, or an existing cluster), and ingest-service, detector-worker(s), classifier-worker(s) and aggregator each as its
 * own process with a generated configuration file, sharing a blob store under the run's directory. Services can be
 * killed, stopped and restarted one by one (failure tests); {@link #close} stops them all, then the stack if it started it.
 * Used by {@code lilnet run}, the end-to-end tests and the end-to-end benchmark.
 *
 * <pre>{@code
 * try (LocalPipeline pipeline = LocalPipeline.start(stack, PipelineOptions.defaults(work, manifest), System.out::println);
 *      DiagnosisWatch diagnoses = DiagnosisWatch.open(pipeline.bootstrapServers(), pipeline.registryUrl())) {
 *     new CStoreSender(pipeline.ingest()).send(files, "SCANNER");
 *     diagnoses.await(caseIds, Duration.ofMinutes(2), d -> {});
 * }
 * }</pre>
 */
public final class LocalPipeline implements AutoCloseable {

    private static final Pattern ASSIGNED = Pattern.compile("\"worker\":\\{\"status\":\"UP\",\"detail\":\"(\\d+) partition");
    private static final Duration STOP_GRACE = Duration.ofSeconds(30);

    /** Where the ingest-service listens. */
    public record IngestEndpoint(String host, int dicomPort, String aeTitle, int stowPort) {
        public String stowUrl() {
            return "http://" + host + ":" + stowPort + "/studies";
        }
    }

    private final LocalStack stack;
    private final boolean ownsStack;
    private final PipelineOptions options;
    private final IngestEndpoint ingest;
    private final List<PipelinePlan.ServiceConfig> instances;
    private final Map<String, ServiceProcess> running = new LinkedHashMap<>();

    private LocalPipeline(LocalStack stack, boolean ownsStack, PipelineOptions options) {
        this.stack = stack;
        this.ownsStack = ownsStack;
        this.options = options;
        int[] free = FreePorts.allocate(2);
        this.ingest = new IngestEndpoint("127.0.0.1", options.fixedPorts() ? IngestConfig.DICOM_PORT.defaultValue().orElseThrow() : free[0],
                IngestConfig.AE_TITLE.defaultValue().orElseThrow(),
                options.fixedPorts() ? IngestConfig.DICOMWEB_PORT.defaultValue().orElseThrow() : free[1]);
        this.instances = PipelinePlan.services(stack.bootstrapServers(), stack.registryUrl(), options, ingest);
    }

    /** Starts a local stack (or connects to the existing cluster the options name), then the services; waits until all are ready. */
    public static LocalPipeline start(StackOptions stackOptions, PipelineOptions options, Consumer<String> progress)
            throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        boolean external = stackOptions.externalBootstrap().isPresent() && stackOptions.externalRegistry().isPresent();
        progress.accept(external ? "connecting to Kafka at " + stackOptions.externalBootstrap().get() + " and the registry at "
                + stackOptions.externalRegistry().get() + " (topics and schemas prepared where missing) ..."
                : "starting a Kafka broker and an Apicurio Registry (real processes, data in " + stackOptions.dataDirectory() + ") ...");
        LocalStack stack = LocalStack.start(stackOptions);
        progress.accept(String.format(Locale.ROOT, "stack ready in %.1f s: Kafka %s, registry %s", seconds(t0), stack.bootstrapServers(),
                stack.registryUrl()));
        LocalPipeline pipeline = new LocalPipeline(stack, true, options);
        return startedAndReady(pipeline, progress);
    }

    /** Starts the services on a stack someone else owns (e.g. the integration tests' one); waits until all are ready. */
    public static LocalPipeline start(LocalStack stack, PipelineOptions options, Consumer<String> progress) throws IOException, InterruptedException {
        LocalPipeline pipeline = configure(stack, options);
        return startedAndReady(pipeline, progress);
    }

    /** Starts the pipeline's services and waits until all are ready; on failure stops what was started. */
    private static LocalPipeline startedAndReady(LocalPipeline pipeline, Consumer<String> progress) throws IOException, InterruptedException {
        try {
            pipeline.startServices(progress);
            pipeline.awaitReady(Duration.ofMinutes(3), progress);
            return pipeline;
        } catch (IOException | InterruptedException | RuntimeException e) {
            pipeline.close();
            throw e;
        }
    }

    /**
     * The pipeline on a stack someone else owns, configured but not started: {@link #startServices} and {@link #awaitReady}
     * separately, for tests that change the stack in between (e.g. start the services while the registry is down).
     */
    public static LocalPipeline configure(LocalStack stack, PipelineOptions options) {
        return new LocalPipeline(stack, false, options);
    }

    /** Launches every service process (they come up in parallel and wait for the broker and registry by themselves). */
    public synchronized LocalPipeline startServices(Consumer<String> progress) throws IOException {
        Files.createDirectories(options.work());
        for (PipelinePlan.ServiceConfig i : instances) {
            if (!running.containsKey(i.name())) {
                running.put(i.name(), ServiceProcess.start(i.name(), i.entry().mainClass(), i.settings(), options.work(), i.entry().heap()));
            }
        }
        progress.accept("started " + String.join(", ", running.values().stream().map(ServiceProcess::toString).toList())
                + "; logs in " + options.work().resolve("logs"));
        return this;
    }

    /** Waits until every service is ready: /health UP, and each worker instance holds partitions of its input. */
    public LocalPipeline awaitReady(Duration timeout, Consumer<String> progress) throws InterruptedException {
        long t0 = System.nanoTime();
        List<CompletableFuture<Void>> waits = new ArrayList<>();
        for (ServiceProcess service : services()) {
            waits.add(CompletableFuture.runAsync(() -> {
                try {
                    awaitReady(service, timeout);
                    progress.accept(String.format(Locale.ROOT, "%s ready after %.1f s", service.name(), seconds(t0)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            }));
        }
        try {
            CompletableFuture.allOf(waits.toArray(CompletableFuture[]::new)).join();
        } catch (java.util.concurrent.CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        }
        return this;
    }

    private void awaitReady(ServiceProcess service, Duration timeout) throws InterruptedException {
        boolean worker = service.name().startsWith(ServiceCatalog.DETECTOR.name()) || service.name().startsWith(ServiceCatalog.CLASSIFIER.name());
        service.awaitHealth(r -> r.statusCode() == 200 && (!worker || assignedPartitions(r.body()) > 0),
                worker ? "ready (healthy, with partitions assigned)" : "healthy", timeout);
    }

    /** Partitions a worker's /health (its status code and body, or the body alone) says it holds; -1 when it does not say. */
    public static int assignedPartitions(String healthBody) {
        Matcher m = ASSIGNED.matcher(healthBody);
        return m.find() ? Integer.parseInt(m.group(1)) : -1;
    }

    public LocalStack stack() {
        return stack;
    }

    public String bootstrapServers() {
        return stack.bootstrapServers();
    }

    public String registryUrl() {
        return stack.registryUrl();
    }

    public PipelineOptions options() {
        return options;
    }

    public IngestEndpoint ingest() {
        return ingest;
    }

    /** The blob store every service shares. */
    public Path blobStore() {
        return options.work().resolve("blobs");
    }

    /** Every service process started so far, in start order (ingest, detectors, classifiers, aggregator). */
    public synchronized List<ServiceProcess> services() {
        return List.copyOf(running.values());
    }

    /** A service process by instance name ({@code ingest-service}, {@code detector-worker} or {@code detector-worker-2}, ...). */
    public synchronized ServiceProcess service(String name) {
        ServiceProcess p = running.get(name);
        if (p == null) {
            throw new IllegalArgumentException("no service " + name + " in this pipeline: " + running.keySet());
        }
        return p;
    }

    /** The instances of one service of the catalog. */
    public synchronized List<ServiceProcess> instancesOf(ServiceEntry entry) {
        return running.values().stream().filter(p -> p.name().equals(entry.name()) || p.name().startsWith(entry.name() + "-")).toList();
    }

    /** SIGKILL: a crash. */
    public void kill(String name) {
        service(name).kill();
    }

    /** SIGTERM, then SIGKILL after the grace period; the exit code. */
    public int stop(String name) {
        return service(name).stop(STOP_GRACE);
    }

    /** Starts a killed or stopped service again with the same configuration and waits until it is ready. */
    public ServiceProcess restart(String name, Duration timeout) throws IOException, InterruptedException {
        ServiceProcess p = service(name).restart();
        awaitReady(p, timeout);
        return p;
    }

    /** The services that are not running (crashed or stopped). */
    public List<String> notRunning() {
        return services().stream().filter(p -> !p.isAlive()).map(ServiceProcess::name).toList();
    }

    /** Stops every service (all at once, each with a grace period), then the stack if this pipeline started it. */
    @Override
    public void close() {
        List<CompletableFuture<Void>> stops = services().stream()
                .map(p -> CompletableFuture.runAsync(() -> p.stop(STOP_GRACE))).toList();
        stops.forEach(CompletableFuture::join);
        if (ownsStack) {
            stack.close();
        }
    }

    static double seconds(long sinceNanos) {
        return (System.nanoTime() - sinceNanos) / 1e9;
    }

    /** Deletes a directory tree (a previous run's files). */
    public static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + dir, e);
        }
    }
}

package org.lilnet.bench.ingest;

import org.lilnet.bench.report.PerformanceReport;
import org.lilnet.bench.report.Table;
import org.lilnet.bench.report.Target;
import org.lilnet.bench.support.ProcessMemory;
import org.lilnet.dicom.CtSliceWriter;
import org.lilnet.dicom.DicomUids;
import org.lilnet.stack.ChildProcess;
import org.lilnet.stack.FreePorts;
import org.lilnet.stack.JavaCommand;
import org.lilnet.stack.LocalStack;
import org.lilnet.stack.ServiceProcess;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Ingest throughput: CT instances per second into the ingest-service over C-STORE from dcmtk's storescu (one and
 * several associations) and over STOW-RS (one and several clients), each next to its same-run baseline: dcmtk's
 * storescp receiving the same files, and {@link StowSink} (HTTP receive and write, nothing checked) for STOW-RS. Also the
 * rate of durable writes on this disk (the ceiling of one association of a receiver that forces each instance to disk
 * before answering, as ingest does), the ingest-service's CPU per instance, its heap after a full GC following a
 * 100-slice and a large case, and its peak resident memory.
 */
public final class IngestBench {

    /**
     * @param slices        instances per measured transfer (each transfer is a study of its own)
     * @param associations  concurrent storescu associations (and STOW-RS clients) of the "several" rows
     * @param perRequest    instances per STOW-RS request of the "several clients" row (the one-client row sends one)
     * @param nagle         also measure storescu with its default socket (Nagle's algorithm on)
     */
    public record Settings(int slices, int associations, int perRequest, boolean nagle) {
    }

    /** One measured transfer: what, instances/s through ingest, the same through the baseline. */
    public record Row(String what, double ingest, String baselineName, double baseline) {
        double ratio() {
            return ingest / baseline;
        }
    }

    public record Result(List<Row> rows, double fsyncRate, double cpuPerInstanceMs, int smallSlices, long heapSmall, int largeSlices,
                         long heapLarge, long peakRss, String heap) {
        /** The best C-STORE figure (the target is about C-STORE from storescu). */
        public double bestCStore() {
            return rows.stream().filter(r -> r.what.startsWith("C-STORE") && !r.what.contains("Nagle")).mapToDouble(Row::ingest).max().orElse(Double.NaN);
        }

        public double bestStow() {
            return rows.stream().filter(r -> r.what.startsWith("STOW-RS")).mapToDouble(Row::ingest).max().orElse(Double.NaN);
        }
    }

    private static final String AE = "LILNET";
    /** dcmtk reads TCP_NODELAY from the environment; this Debian build leaves Nagle's algorithm on by default. */
    private static final Map<String, String> NO_DELAY = Map.of("TCP_NODELAY", "1");
    private static final int NAGLE_SLICES = 200;
    private static final int SMALL_CASE = 100;
    private static final String HEAP = "256m";

    private final LocalStack stack;
    private final Path work;
    private final Settings settings;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    public IngestBench(LocalStack stack, Path work, Settings settings) {
        this.stack = stack;
        this.work = work;
        this.settings = settings;
    }

    public Result run() throws Exception {
        Files.createDirectories(work);
        long t0 = System.nanoTime();
        int n = settings.slices;
        List<Path> small = study("small", Math.min(SMALL_CASE, Math.max(10, n / 4)));   // smaller than the large case, also in quick mode
        Map<String, List<Path>> transfers = new LinkedHashMap<>();
        transfers.put("one", study("one", n));
        transfers.put("many", study("many", n));
        transfers.put("stow-one", study("stow-one", n));
        transfers.put("stow-many", study("stow-many", n));
        if (settings.nagle) {
            transfers.put("nagle", study("nagle", NAGLE_SLICES));
        }
        System.out.printf(Locale.ROOT, "[bench] ingest: wrote %d CT slices (512x512, explicit VR little endian, %d KB each) in %.1f s%n",
                small.size() + transfers.values().stream().mapToInt(List::size).sum(), Files.size(small.get(0)) / 1024, seconds(t0));
        double fsyncRate = durableWrites(Files.size(small.get(0)), 200);
        int many = settings.associations;

        // baselines: dcmtk's storescp (writes each file, no fsync) and the STOW sink (writes each request, no parsing)
        Map<String, Double> baseline = new LinkedHashMap<>();
        int scpPort = FreePorts.allocate(1)[0];
        try (ChildProcess storescp = ChildProcess.start("storescp", List.of("storescp", "--fork", "-aet", AE, "-od",
                mkdirs(work.resolve("storescp-out")).toString(), String.valueOf(scpPort)), work, work.resolve("logs/storescp.log"), NO_DELAY)) {
            waitForPort(scpPort);
            baseline.put("one", storescu(scpPort, List.of(transfers.get("one")), "storescp, 1 association", NO_DELAY));
            baseline.put("many", storescu(scpPort, split(transfers.get("many"), many), "storescp, " + many + " associations", NO_DELAY));
            if (settings.nagle) {
                baseline.put("nagle", storescu(scpPort, List.of(transfers.get("nagle")), "storescp, storescu with Nagle's algorithm", Map.of()));
            }
        }
        int sinkPort = FreePorts.allocate(1)[0];
        try (ChildProcess sink = ChildProcess.start("stow-sink", JavaCommand.main(StowSink.class.getName()).heap("128m").jvmOption("-XX:+UseSerialGC")
                .args(String.valueOf(sinkPort), mkdirs(work.resolve("sink-out")).toString(), "4").build(), work, work.resolve("logs/stow-sink.log"), Map.of())) {
            waitForPort(sinkPort);
            URI sinkUrl = URI.create("http://127.0.0.1:" + sinkPort + "/studies");
            stow(sinkUrl, List.of(small), 1, "stow sink, warm-up");
            baseline.put("stow-one", stow(sinkUrl, List.of(transfers.get("stow-one")), 1, "stow sink, 1 client, 1 instance per request"));
            baseline.put("stow-many", stow(sinkUrl, split(transfers.get("stow-many"), many), settings.perRequest,
                    "stow sink, " + many + " clients, " + settings.perRequest + " instances per request"));
        }
        deleteTree(work.resolve("storescp-out"));
        deleteTree(work.resolve("sink-out"));

        // the ingest-service on the run's broker and registry
        int[] ports = FreePorts.allocate(2);
        Map<String, String> config = new LinkedHashMap<>();
        config.put("kafka.bootstrap.servers", stack.bootstrapServers());
        config.put("registry.url", stack.registryUrl());
        config.put("dicom.host", "127.0.0.1");
        config.put("dicom.port", String.valueOf(ports[0]));
        config.put("dicom.ae-title", AE);
        config.put("dicomweb.host", "127.0.0.1");
        config.put("dicomweb.port", String.valueOf(ports[1]));
        config.put("blob.store.dir", work.resolve("blobs").toString());
        config.put("ingest.state.dir", work.resolve("state").toString());
        config.put("ingest.spool.dir", work.resolve("spool").toString());
        config.put("ingest.quiet-period", "3s");
        List<Row> rows = new ArrayList<>();
        double cpuPerInstanceMs;
        long heapSmall;
        long heapLarge;
        long peakRss;
        try (ServiceProcess ingest = ServiceProcess.start("ingest-service", "org.lilnet.ingest.IngestMain", config, work, HEAP)) {
            ingest.awaitHealthy(Duration.ofMinutes(3));
            URI stowUrl = URI.create("http://127.0.0.1:" + ports[1] + "/studies");
            double opened = ingest.metric("lilnet_ingest_cases_opened_total", "");

            storescu(ports[0], List.of(small), "ingest-service, warm-up and a " + small.size() + "-slice case", NO_DELAY);
            awaitCases(ingest, opened += 1);
            heapSmall = heapAfterGc(ingest);

            Duration cpuBefore = ingest.process().handle().info().totalCpuDuration().orElse(Duration.ZERO);
            double one = storescu(ports[0], List.of(transfers.get("one")), "ingest-service, 1 association", NO_DELAY);
            Duration cpuAfter = ingest.process().handle().info().totalCpuDuration().orElse(Duration.ZERO);
            cpuPerInstanceMs = cpuAfter.minus(cpuBefore).toNanos() / 1e6 / n;
            rows.add(new Row("C-STORE, 1 association", one, "dcmtk storescp", baseline.get("one")));
            awaitCases(ingest, opened += 1);
            heapLarge = heapAfterGc(ingest);

            double several = storescu(ports[0], split(transfers.get("many"), many), "ingest-service, " + many + " associations", NO_DELAY);
            rows.add(new Row("C-STORE, " + many + " associations", several, "dcmtk storescp", baseline.get("many")));
            awaitCases(ingest, opened += 1);

            double stowOne = stow(stowUrl, List.of(transfers.get("stow-one")), 1, "ingest-service, STOW-RS, 1 client, 1 instance per request");
            rows.add(new Row("STOW-RS, 1 client, 1 instance per request", stowOne, "HTTP sink", baseline.get("stow-one")));
            awaitCases(ingest, opened += 1);
            double stowMany = stow(stowUrl, split(transfers.get("stow-many"), many), settings.perRequest,
                    "ingest-service, STOW-RS, " + many + " clients, " + settings.perRequest + " instances per request");
            rows.add(new Row("STOW-RS, " + many + " clients, " + settings.perRequest + " instances per request", stowMany, "HTTP sink",
                    baseline.get("stow-many")));
            awaitCases(ingest, opened += 1);

            if (settings.nagle) {
                double nagle = storescu(ports[0], List.of(transfers.get("nagle")), "ingest-service, storescu with Nagle's algorithm", Map.of());
                rows.add(new Row("C-STORE, 1 association, storescu's default socket (Nagle's algorithm on), " + NAGLE_SLICES + " instances", nagle,
                        "dcmtk storescp", baseline.get("nagle")));
                awaitCases(ingest, opened + 1);
            }
            peakRss = ProcessMemory.peakRss(ingest.process().pid());
        }
        deleteTree(work.resolve("blobs"));
        deleteTree(work.resolve("studies"));
        return new Result(rows, fsyncRate, cpuPerInstanceMs, small.size(), heapSmall, n, heapLarge, peakRss, HEAP);
    }

    /** The section of docs/PERFORMANCE.md and the target (>= 200 CT instances/s, memory flat in study size). */
    public static void report(Result r, PerformanceReport.Section section, List<Target> targets, String load) {
        section.paragraph("CT instances (512x512, 16-bit, explicit VR little endian, about 514 KB each) over loopback, " + r.largeSlices()
                + " per transfer, each transfer a study of its own. The baselines receive the same files in the same run: dcmtk's storescp "
                + "(writes each file, no fsync) for C-STORE, a plain HTTP endpoint (writes each request body, no parsing, no fsync) for "
                + "STOW-RS. The ingest-service checks each instance, forces it to disk and journals it before answering. storescu runs "
                + "with TCP_NODELAY=1 (its Debian build leaves Nagle's algorithm on); the services' own HTTP servers run with Nagle's algorithm "
                + "off (sun.net.httpserver.nodelay, set by every service). Load average during this section: " + load + ".");
        Table t = Table.of("transfer", "ingest-service, instances/s", "baseline, instances/s", "ingest / baseline");
        for (Row row : r.rows()) {
            t.row(row.what(), f0(row.ingest()), row.baselineName() + ": " + f0(row.baseline()), f2(row.ratio()));
        }
        t.row("durable write (write + fsync) of one slice file, one thread: the ceiling of one association of a receiver that "
                + "answers after the instance is on disk", "", f0(r.fsyncRate()), "");
        section.table(t);
        section.table(Table.of("ingest-service (-Xmx" + r.heap() + ")", "")
                .row("CPU per instance (receive, check, store, journal)", String.format(Locale.ROOT, "%.2f ms", r.cpuPerInstanceMs()))
                .row("heap after a full GC, after a " + r.smallSlices() + "-slice case", mb(r.heapSmall()))
                .row("heap after a full GC, after a " + r.largeSlices() + "-slice case", mb(r.heapLarge()) + String.format(Locale.ROOT,
                        " (%+.1f MB for %d more slices)", (r.heapLarge() - r.heapSmall()) / 1e6, r.largeSlices() - r.smallSlices()))
                .row("peak resident memory over the section", mb(r.peakRss())));
        targets.add(Target.atLeast("ingest, C-STORE from storescu, best of 1 and several associations", r.bestCStore(), 200, " instances/s")
                .explained("each instance is forced to disk (fsync) and journaled before it is answered; one association is bounded by the "
                        + "disk's flush rate (" + f0(r.fsyncRate()) + " durable writes/s here) and several share the machine's two cores with the "
                        + "broker, the registry and the sender.", "measure on a quiet machine; if it still misses, group the journal and blob "
                        + "flushes of concurrent associations (one fsync for several instances)."));
        targets.add(Target.atLeast("ingest, STOW-RS, best of 1 and several clients", r.bestStow(), 200, " instances/s")
                .explained("as for C-STORE: every instance is checked and forced to disk before the answer.",
                        "send several instances per request and several clients; group flushes."));
        double growth = r.largeSlices() > r.smallSlices() ? (r.heapLarge() - r.heapSmall()) / 1e6 : Double.NaN;
        targets.add(Target.atMost("ingest heap growth from a " + r.smallSlices() + "- to a " + r.largeSlices() + "-slice case", growth, 16, " MB")
                .explained("the case keeps about 1.5 KB per instance until it is opened.", "look at a heap histogram (jcmd GC.class_histogram)."));
    }

    static String f0(double v) {
        return String.format(Locale.ROOT, "%.0f", v);
    }

    static String f2(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }

    static String mb(long bytes) {
        return bytes < 0 ? "unknown" : String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
    }

    /** One series of n axial 512x512 slices in a study of its own. */
    private List<Path> study(String name, int n) throws IOException {
        Path dir = mkdirs(work.resolve("studies").resolve(name));
        String study = DicomUids.random();
        String series = DicomUids.random();
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Path f = dir.resolve(String.format("IM%05d.dcm", i));
            new CtSliceWriter().study(study).series(series).description("PVP 1.0mm").sliceThickness(1.0).z(i * 1.0)
                    .instanceNumber(n - i).seriesNumber(2).write(f);
            files.add(f);
        }
        return files;
    }

    /** Durable writes per second of a file this size: write, fsync, as the blob store does; one thread. */
    private double durableWrites(long size, int count) throws IOException {
        Path dir = mkdirs(work.resolve("fsync"));
        byte[] bytes = new byte[(int) size];
        long start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            try (FileChannel c = FileChannel.open(dir.resolve(i + ".bin"), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                c.write(ByteBuffer.wrap(bytes));
                c.force(true);
            }
        }
        double rate = count / seconds(start);
        System.out.printf(Locale.ROOT, "[bench] durable writes: %.0f files/s of %d KB%n", rate, size / 1024);
        deleteTree(dir);
        return rate;
    }

    /** Sends each list with its own storescu (concurrently); returns instances per second over all. */
    private double storescu(int port, List<List<Path>> lists, String what, Map<String, String> environment) throws Exception {
        long start = System.nanoTime();
        List<Process> processes = new ArrayList<>();
        List<Path> logs = new ArrayList<>();
        for (int i = 0; i < lists.size(); i++) {
            Path log = mkdirs(work.resolve("logs")).resolve("storescu-" + System.nanoTime() + "-" + i + ".log");
            List<String> command = new ArrayList<>(List.of("storescu", "-aet", "BENCH" + i, "-aec", AE, "127.0.0.1", String.valueOf(port)));
            lists.get(i).forEach(f -> command.add(f.toString()));
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
            builder.environment().putAll(environment);
            processes.add(builder.start());
            logs.add(log);
        }
        int total = 0;
        for (int i = 0; i < processes.size(); i++) {
            if (!processes.get(i).waitFor(30, TimeUnit.MINUTES) || processes.get(i).exitValue() != 0) {
                processes.forEach(Process::destroyForcibly);
                throw new IllegalStateException(what + ": storescu failed: " + Files.readString(logs.get(i)));
            }
            total += lists.get(i).size();
        }
        return report(what, total, start);
    }

    /**
     * Posts each list from its own client thread (concurrently), {@code perRequest} instances per multipart/related
     * request; every answer must be 200. Returns instances per second over all. The files are read before the clock
     * starts (storescu reads them from the page cache too).
     */
    private double stow(URI url, List<List<Path>> lists, int perRequest, String what) throws Exception {
        List<List<StowRequest>> perClient = new ArrayList<>();
        for (List<Path> files : lists) {
            List<StowRequest> requests = new ArrayList<>();
            for (int i = 0; i < files.size(); i += perRequest) {
                requests.add(StowRequest.of(files.subList(i, Math.min(files.size(), i + perRequest))));
            }
            perClient.add(requests);
        }
        ExecutorService clients = Executors.newFixedThreadPool(lists.size());
        long start = System.nanoTime();
        try {
            List<Future<Integer>> sent = new ArrayList<>();
            for (List<StowRequest> requests : perClient) {
                sent.add(clients.submit(() -> {
                    int instances = 0;
                    for (StowRequest r : requests) {
                        HttpResponse<String> answer = http.send(HttpRequest.newBuilder(url).timeout(Duration.ofMinutes(5))
                                .header("Content-Type", "multipart/related; type=\"application/dicom\"; boundary=" + r.boundary())
                                .header("Accept", "application/dicom+json").POST(HttpRequest.BodyPublishers.ofByteArray(r.body())).build(),
                                HttpResponse.BodyHandlers.ofString());
                        if (answer.statusCode() != 200) {
                            throw new IllegalStateException(what + ": HTTP " + answer.statusCode() + ": " + answer.body());
                        }
                        instances += r.instances();
                    }
                    return instances;
                }));
            }
            int total = 0;
            for (Future<Integer> f : sent) {
                total += f.get(30, TimeUnit.MINUTES);
            }
            return report(what, total, start);
        } finally {
            clients.shutdownNow();
        }
    }

    /** One STOW-RS request: a multipart/related body of DICOM parts. */
    private record StowRequest(String boundary, byte[] body, int instances) {
        static StowRequest of(List<Path> files) throws IOException {
            String boundary = "bench-" + UUID.randomUUID();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (Path f : files) {
                out.writeBytes(("--" + boundary + "\r\nContent-Type: application/dicom\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.writeBytes(Files.readAllBytes(f));
                out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
            }
            out.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
            return new StowRequest(boundary, out.toByteArray(), files.size());
        }
    }

    private static double report(String what, int total, long start) {
        double rate = total / seconds(start);
        System.out.printf(Locale.ROOT, "[bench] %s: %d instances in %.1f s = %.0f instances/s%n", what, total, seconds(start), rate);
        return rate;
    }

    private static List<List<Path>> split(List<Path> files, int parts) {
        List<List<Path>> out = new ArrayList<>();
        for (int i = 0; i < parts; i++) {
            out.add(new ArrayList<>());
        }
        for (int i = 0; i < files.size(); i++) {
            out.get(i % parts).add(files.get(i));
        }
        out.removeIf(List::isEmpty);
        return out;
    }

    private static void awaitCases(ServiceProcess ingest, double count) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        while (System.nanoTime() < deadline) {
            if (ingest.metric("lilnet_ingest_cases_opened_total", "") >= count) {
                return;
            }
            if (!ingest.isAlive()) {
                throw new IllegalStateException("ingest-service exited:\n" + ingest.logTail(40));
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("the case was not opened in time:\n" + ingest.logTail(40));
    }

    /** Full GC in the ingest process (jcmd), then its heap in use from /metrics. */
    static long heapAfterGc(ServiceProcess service) throws Exception {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        for (int i = 0; i < 2; i++) {
            Process gc = new ProcessBuilder(jcmd.toString(), String.valueOf(service.process().pid()), "GC.run").redirectErrorStream(true).start();
            gc.getInputStream().readAllBytes();
            gc.waitFor(60, TimeUnit.SECONDS);
        }
        Thread.sleep(500);
        return (long) service.metric("jvm_memory_used_bytes", "area=\"heap\"");
    }

    private static void waitForPort(int port) throws InterruptedException {
        for (int i = 0; i < 200 && !FreePorts.inUse("127.0.0.1", port); i++) {
            Thread.sleep(100);
        }
    }

    private static Path mkdirs(Path dir) throws IOException {
        Files.createDirectories(dir);
        return dir;
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    static void deleteTree(Path dir) throws IOException {
        org.lilnet.bench.support.Files2.deleteTree(dir);
    }
}

package org.lilnet.bench.ingest;

import org.lilnet.dicom.CtSliceWriter;
import org.lilnet.dicom.DicomUids;
import org.lilnet.stack.ChildProcess;
import org.lilnet.stack.FreePorts;
import org.lilnet.stack.JavaCommand;
import org.lilnet.stack.LocalStack;
import org.lilnet.stack.StackOptions;

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
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Sustained C-STORE throughput of the ingest-service from dcmtk's storescu over loopback, against dcmtk's own storescp
 * receiving the same files in the same run, and the ingest-service's heap after a 100-slice and a 1000-slice case.
 *
 * <pre>java -cp ... org.lilnet.bench.ingest.IngestThroughputBench [--slices 1000] [--associations 4] [--work DIR]</pre>
 *
 * Figures: instances/s for one association (storescu sends one instance, waits for the answer, sends the next) and
 * for several concurrent associations; the rate of durable 512x512 writes on this disk (write + fsync, one thread),
 * which bounds one association of a receiver that forces each instance to disk before answering, as ingest does and
 * storescp does not; heap after a full GC.
 */
public final class IngestThroughputBench {

    private static final String AE = "LILNET";
    /** Instances sent with dcmtk's default socket settings (Nagle's algorithm on), which are slow: fewer. */
    private static final int NAGLE_SLICES = 200;
    /** dcmtk reads TCP_NODELAY from the environment; this Debian build leaves Nagle's algorithm on by default. */
    private static final Map<String, String> NO_DELAY = Map.of("TCP_NODELAY", "1");
    private final HttpClient http = HttpClient.newHttpClient();

    private int slices = 1000;
    private int associations = 8;
    private Path work = Path.of("bench/target/ingest-bench").toAbsolutePath();

    public static void main(String[] args) throws Exception {
        IngestThroughputBench bench = new IngestThroughputBench();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--slices" -> bench.slices = Integer.parseInt(args[++i]);
                case "--associations" -> bench.associations = Integer.parseInt(args[++i]);
                case "--work" -> bench.work = Path.of(args[++i]).toAbsolutePath();
                default -> throw new IllegalArgumentException("usage: IngestThroughputBench [--slices N] [--associations N] [--work DIR]");
            }
        }
        bench.run();
        System.exit(0);
    }

    private void run() throws Exception {
        deleteTree(work);
        Files.createDirectories(work);
        System.out.printf("ingest throughput bench: %d CPU(s), load average %s, work in %s%n", Runtime.getRuntime().availableProcessors(),
                loadAverage(), work.toAbsolutePath());

        long t0 = System.nanoTime();
        List<Path> small = study("small", 100);
        List<Path> large = study("large", slices);
        List<Path> parallel = study("parallel", slices);
        List<Path> nagle = study("nagle", NAGLE_SLICES);
        System.out.printf("wrote %d CT slices (512x512, explicit VR little endian, %d KB each) in %.1f s%n",
                small.size() + large.size() + parallel.size() + nagle.size(), Files.size(large.get(0)) / 1024, seconds(t0));

        double fsyncRate = durableWrites(Files.size(large.get(0)), 200);

        // baseline: dcmtk's storescp (writes each file, no fsync)
        double storescpOne;
        double storescpMany;
        double storescpNagle;
        int scpPort = FreePorts.allocate(1)[0];
        try (ChildProcess storescp = ChildProcess.start("storescp", List.of("storescp", "--fork", "-aet", AE, "-od",
                mkdirs(work.resolve("storescp-out")).toString(), String.valueOf(scpPort)), work, work.resolve("storescp.log"), NO_DELAY)) {
            waitForPort(scpPort);
            storescpOne = send(scpPort, List.of(large), "storescp, 1 association", NO_DELAY);
            storescpMany = send(scpPort, split(parallel, associations), "storescp, " + associations + " associations", NO_DELAY);
            storescpNagle = send(scpPort, List.of(nagle), "storescp, 1 association, storescu with Nagle's algorithm", Map.of());
        }

        // ingest-service on a real broker and registry
        double ingestOne;
        double ingestMany;
        double ingestNagle;
        double cpuPerInstanceMs;
        long heapSmall;
        long heapLarge;
        try (LocalStack stack = LocalStack.start(StackOptions.onFreePorts(mkdirs(work.resolve("stack"))))) {
            int[] ports = FreePorts.allocate(3);
            int opsPort = ports[0];
            int dicomPort = ports[1];
            Path config = work.resolve("ingest.properties");
            Files.writeString(config, String.join("\n",
                    "kafka.bootstrap.servers=" + stack.bootstrapServers(), "registry.url=" + stack.registryUrl(), "instance.id=bench-ingest",
                    "http.host=127.0.0.1", "http.port=" + opsPort, "dicom.host=127.0.0.1", "dicom.port=" + dicomPort, "dicom.ae-title=" + AE,
                    "dicomweb.host=127.0.0.1", "dicomweb.port=" + ports[2], "blob.store.dir=" + work.resolve("blobs"),
                    "ingest.state.dir=" + work.resolve("state"), "ingest.spool.dir=" + work.resolve("spool"), "ingest.quiet-period=3s", ""));
            mkdirs(work.resolve("tmp"));
            List<String> command = JavaCommand.main("org.lilnet.ingest.IngestMain").heap("256m").jvmOption("-XX:+UseSerialGC")
                    .property("java.io.tmpdir", work.resolve("tmp").toString()).args("--config", config.toString()).build();
            try (ChildProcess ingest = ChildProcess.start("ingest", command, work, work.resolve("ingest.log"), Map.of())) {
                awaitHealthy(opsPort, ingest);
                double opened = casesOpened(opsPort);

                send(dicomPort, List.of(small), "ingest, warm-up and " + small.size() + "-slice case", NO_DELAY);
                awaitCases(opsPort, opened + 1);
                heapSmall = heapAfterGc(ingest, opsPort);

                Duration cpuBefore = ingest.handle().info().totalCpuDuration().orElse(Duration.ZERO);
                ingestOne = send(dicomPort, List.of(large), "ingest-service, 1 association", NO_DELAY);
                Duration cpuAfter = ingest.handle().info().totalCpuDuration().orElse(Duration.ZERO);
                cpuPerInstanceMs = cpuAfter.minus(cpuBefore).toNanos() / 1e6 / large.size();
                awaitCases(opsPort, opened + 2);
                heapLarge = heapAfterGc(ingest, opsPort);

                ingestMany = send(dicomPort, split(parallel, associations), "ingest-service, " + associations + " associations", NO_DELAY);
                awaitCases(opsPort, opened + 3);
                ingestNagle = send(dicomPort, List.of(nagle), "ingest-service, 1 association, storescu with Nagle's algorithm", Map.of());
                awaitCases(opsPort, opened + 4);
                System.out.println("ingest log: " + work.resolve("ingest.log"));
            }
        }

        System.out.println();
        System.out.println("| C-STORE from storescu over loopback, " + slices + " CT instances, TCP_NODELAY=1 | instances/s |");
        System.out.println("|---|---|");
        System.out.printf(Locale.ROOT, "| baseline: dcmtk storescp, 1 association (writes each file, no fsync) | %.0f |%n", storescpOne);
        System.out.printf(Locale.ROOT, "| baseline: dcmtk storescp, %d associations | %.0f |%n", associations, storescpMany);
        System.out.printf(Locale.ROOT, "| ceiling of 1 association for a durable receiver: write + fsync of one slice file on this disk, 1 thread | %.0f |%n", fsyncRate);
        System.out.printf(Locale.ROOT, "| ingest-service, 1 association (checked, fsync'd, journaled before each answer) | %.0f (%.0f%% of storescp, %.0f%% of the fsync ceiling) |%n",
                ingestOne, 100 * ingestOne / storescpOne, 100 * ingestOne / fsyncRate);
        System.out.printf(Locale.ROOT, "| ingest-service, %d associations | %.0f (%.0f%% of storescp) |%n", associations, ingestMany,
                100 * ingestMany / storescpMany);
        System.out.printf(Locale.ROOT, "| with storescu's default socket (Nagle's algorithm on), 1 association, %d instances: storescp / ingest-service | %.0f / %.0f |%n",
                NAGLE_SLICES, storescpNagle, ingestNagle);
        System.out.println();
        System.out.println("| ingest-service heap after a full GC (-Xmx256m) | MB |");
        System.out.println("|---|---|");
        System.out.printf(Locale.ROOT, "| after a %d-slice case | %.1f |%n", small.size(), heapSmall / 1e6);
        System.out.printf(Locale.ROOT, "| after a %d-slice case | %.1f (%+.1f MB for %d more slices) |%n", large.size(), heapLarge / 1e6,
                (heapLarge - heapSmall) / 1e6, large.size() - small.size());
        System.out.printf(Locale.ROOT, "%ningest-service CPU per instance (receive, check, store, journal; process CPU time / instances): %.2f ms"
                + " = %.0f instances/s per idle core%n", cpuPerInstanceMs, 1000 / cpuPerInstanceMs);
        System.out.printf(Locale.ROOT, "load average at the end: %s (this machine is shared: figures vary with it)%n", loadAverage());
        System.out.printf(Locale.ROOT, "target: >= 200 CT instances/s: %s (best: %.0f/s)%n", Math.max(ingestOne, ingestMany) >= 200 ? "met" : "NOT met",
                Math.max(ingestOne, ingestMany));
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
        System.out.printf(Locale.ROOT, "durable writes: %.0f files/s of %d KB%n", rate, size / 1024);
        return rate;
    }

    /** Sends each list with its own storescu (concurrently); returns instances per second over all. */
    private double send(int port, List<List<Path>> lists, String what, Map<String, String> environment) throws Exception {
        long start = System.nanoTime();
        List<Process> processes = new ArrayList<>();
        List<Path> logs = new ArrayList<>();
        for (int i = 0; i < lists.size(); i++) {
            Path argFile = work.resolve("storescu-" + System.nanoTime() + "-" + i + ".log");
            List<String> command = new ArrayList<>(List.of("storescu", "-aet", "BENCH" + i, "-aec", AE, "127.0.0.1", String.valueOf(port)));
            lists.get(i).forEach(f -> command.add(f.toString()));
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(argFile.toFile());
            builder.environment().putAll(environment);
            processes.add(builder.start());
            logs.add(argFile);
        }
        int total = 0;
        for (int i = 0; i < processes.size(); i++) {
            if (!processes.get(i).waitFor(30, TimeUnit.MINUTES) || processes.get(i).exitValue() != 0) {
                throw new IllegalStateException(what + ": storescu failed: " + Files.readString(logs.get(i)));
            }
            total += lists.get(i).size();
        }
        double rate = total / seconds(start);
        System.out.printf(Locale.ROOT, "%s: %d instances in %.1f s = %.0f instances/s%n", what, total, seconds(start), rate);
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
        return out;
    }

    private void awaitHealthy(int port, ChildProcess process) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("ingest-service exited:\n" + process.logTail(40));
            }
            try {
                if (get(port, "/health").statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // starting
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("ingest-service not healthy:\n" + process.logTail(40));
    }

    private double casesOpened(int port) throws Exception {
        return metric(port, "lilnet_ingest_cases_opened_total");
    }

    private void awaitCases(int port, double count) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        while (System.nanoTime() < deadline) {
            if (casesOpened(port) >= count) {
                return;
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("the case was not opened in time");
    }

    /** Full GC in the ingest process (jcmd), then its heap in use from /metrics. */
    private long heapAfterGc(ChildProcess process, int port) throws Exception {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        for (int i = 0; i < 2; i++) {
            Process gc = new ProcessBuilder(jcmd.toString(), String.valueOf(process.pid()), "GC.run").redirectErrorStream(true).start();
            gc.getInputStream().readAllBytes();
            gc.waitFor(60, TimeUnit.SECONDS);
        }
        Thread.sleep(500);
        return (long) metric(port, "jvm_memory_used_bytes{area=\"heap\"");
    }

    /** Sum of the samples of a metric whose line starts with the prefix. */
    private double metric(int port, String prefix) throws Exception {
        String text = get(port, "/metrics").body();
        String name = prefix.contains("{") ? prefix.substring(0, prefix.indexOf('{')) : prefix;
        String tagPart = prefix.contains("{") ? prefix.substring(prefix.indexOf('{') + 1) : "";
        double sum = 0;
        for (String line : text.lines().toList()) {
            if (line.startsWith(name + "{") || line.startsWith(name + " ")) {
                if (!tagPart.isEmpty() && !line.contains(tagPart)) {
                    continue;
                }
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }

    private HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    private static void waitForPort(int port) throws InterruptedException {
        for (int i = 0; i < 100 && !FreePorts.inUse("127.0.0.1", port); i++) {
            Thread.sleep(100);
        }
    }

    private static String loadAverage() {
        try {
            String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return parts[0] + " " + parts[1] + " " + parts[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    private static Path mkdirs(Path dir) throws IOException {
        Files.createDirectories(dir);
        return dir;
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}

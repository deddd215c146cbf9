package org.lilnet.bench.workers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.lilnet.bench.support.ModelSet;
import org.lilnet.bench.support.ModelSets;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The authors' way of running the same models, as a same-run baseline: {@code bench/src/main/python/torch_eager.py}
 * (Debian python3-torch, PyTorch eager, one image at a time, the same thread count) on the same images the workers
 * get. Each round is a fresh Python process; its own clock times only the model loop.
 */
final class TorchEager {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path root;
    private final Path tools;
    private final Path work;
    private final ModelSet set;
    private final int threads;
    private Path slices;
    private int sliceCount;
    private Path dicomList;
    private Path crops;
    private int cropCount;
    private String version = "";

    TorchEager(Path root, Path tools, Path work, ModelSet set, int threads) {
        this.root = root;
        this.tools = tools;
        this.work = work;
        this.set = set;
        this.threads = threads;
    }

    /** The rendered 512x512 slices (a round cycles over them). */
    void slices(List<byte[]> images) throws IOException {
        slices = write("eager-slices.u8", images, 512 * 512);
        sliceCount = images.size();
    }

    /** The DICOM files of the same slices (a round reads, renders and detects, cycling over them). */
    void dicomFiles(List<Path> files) throws IOException {
        Files.createDirectories(work);
        dicomList = Files.write(work.resolve("eager-dicom.txt"), files.stream().map(Path::toString).toList());
    }

    /** The 224x224 crops (a round cycles over them). */
    void crops(List<byte[]> images) throws IOException {
        crops = write("eager-crops.u8", images, 224 * 224);
        cropCount = images.size();
    }

    private Path write(String name, List<byte[]> images, int size) throws IOException {
        Files.createDirectories(work);
        Path file = work.resolve(name);
        try (OutputStream out = Files.newOutputStream(file)) {
            for (byte[] image : images) {
                if (image.length != size) {
                    throw new IllegalArgumentException("an image of " + image.length + " bytes, expected " + size);
                }
                out.write(image);
            }
        }
        return file;
    }

    /** One detector round on rendered slices: slices per second. */
    double detectorRound(int total) throws IOException, InterruptedException {
        JsonNode d = run(List.of("--slices", slices.toString(), "--slice-count", String.valueOf(sliceCount), "--repeat", String.valueOf(total)))
                .path("detector");
        return d.path("images").asDouble() / d.path("seconds").asDouble();
    }

    /** One detector round from the DICOM files (pydicom, HU, window, resize, detect): slices per second. */
    double detectorFromDicomRound(int total) throws IOException, InterruptedException {
        JsonNode d = run(List.of("--dicom-list", dicomList.toString(), "--repeat", String.valueOf(total))).path("detector");
        return d.path("images").asDouble() / d.path("seconds").asDouble();
    }

    /** One classifier round (BM, M and B on every crop): crops per second. */
    double classifierRound(int total) throws IOException, InterruptedException {
        JsonNode c = run(List.of("--crops", crops.toString(), "--crop-count", String.valueOf(cropCount), "--repeat", String.valueOf(total)))
                .path("classifiers");
        return c.path("crops").asDouble() / c.path("seconds").asDouble();
    }

    /** "PyTorch 1.13.0a0, 2 threads, OMP_WAIT_POLICY=PASSIVE" after the first round. */
    String describe() {
        return version;
    }

    private JsonNode run(List<String> args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(ModelSets.PYTHON, root.resolve("bench/src/main/python/torch_eager.py").toString(),
                "--set", set.classifierNet(), "--detector", set.detectorNet(), "--tools", tools.toString(), "--threads", String.valueOf(threads)));
        command.addAll(args);
        Path log = work.resolve("torch-eager.log");
        Process p = new ProcessBuilder(command).directory(root.toFile()).redirectError(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IOException("PyTorch eager baseline failed (" + String.join(" ", command) + "); see " + log);
        }
        JsonNode result = JSON.readTree(out.lines().filter(l -> l.startsWith("{")).reduce((a, b) -> b).orElseThrow(
                () -> new IOException("no result from the PyTorch eager baseline: " + out)));
        version = "PyTorch " + result.path("torch").asText() + " eager, " + result.path("threads").asInt() + " threads, OMP_WAIT_POLICY="
                + result.path("ompWaitPolicy").asText();
        return result;
    }
}

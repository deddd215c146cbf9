package org.lilnet.ingest.importer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.SequenceInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * A backfill of a folder (with or without DICOMDIRs) through the ingest-service's front door, STOW-RS: each file is
 * posted, its outcome printed (stored; stored but not processed, and why; refused, and why), and a summary at the
 * end. The ingest-service then treats the studies as any other (cases open after the quiet period).
 */
public final class FolderImport {

    /** The outcome of one file. */
    public record FileOutcome(Path file, Kind kind, String detail) {
    }

    public enum Kind { STORED, NOT_PROCESSED, REFUSED, SKIPPED }

    /** The whole import. */
    public record Summary(List<FileOutcome> files, List<String> missing) {
        public long count(Kind kind) {
            return files.stream().filter(f -> f.kind() == kind).count();
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI stowUrl;
    private final String token;
    private final PrintStream out;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    public FolderImport(URI stowUrl, String token, PrintStream out) {
        this.stowUrl = stowUrl;
        this.token = token;
        this.out = out;
    }

    public Summary run(Path root) throws IOException, InterruptedException {
        DicomFolder.Contents contents = DicomFolder.scan(root);
        out.printf("%s: %d DICOM file(s)%s, %d other file(s) skipped%n", root, contents.files().size(),
                contents.dicomdirs().isEmpty() ? "" : " (" + contents.dicomdirs().size() + " DICOMDIR)", contents.skipped().size());
        contents.missing().forEach(m -> out.println("  missing: " + m));
        List<FileOutcome> outcomes = new ArrayList<>();
        for (Path f : contents.skipped()) {
            outcomes.add(new FileOutcome(f, Kind.SKIPPED, "not a DICOM Part 10 file"));
            out.printf("  %-13s %s  (not a DICOM Part 10 file)%n", "skipped", relative(root, f));
        }
        for (Path f : contents.files()) {
            FileOutcome o = send(f);
            outcomes.add(o);
            out.printf("  %-13s %s%s%n", o.kind().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' '), relative(root, f),
                    o.detail().isEmpty() ? "" : "  (" + o.detail() + ")");
        }
        Summary summary = new Summary(outcomes, contents.missing());
        out.printf("done: %d stored, %d stored but not processed, %d refused, %d skipped%n", summary.count(Kind.STORED),
                summary.count(Kind.NOT_PROCESSED), summary.count(Kind.REFUSED), summary.count(Kind.SKIPPED));
        return summary;
    }

    private static Path relative(Path root, Path f) {
        try {
            return root.toAbsolutePath().normalize().relativize(f.toAbsolutePath().normalize());
        } catch (IllegalArgumentException e) {
            return f;
        }
    }

    FileOutcome send(Path file) throws IOException, InterruptedException {
        String boundary = "lilnet-import-" + UUID.randomUUID();
        HttpRequest.Builder request = HttpRequest.newBuilder(stowUrl).timeout(Duration.ofMinutes(5))
                .header("Content-Type", "multipart/related; type=\"application/dicom\"; boundary=" + boundary)
                .header("Accept", "application/dicom+json")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> body(boundary, file)));
        if (token != null && !token.isBlank()) {
            request.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        int status = response.statusCode();
        if (!response.headers().firstValue("Content-Type").orElse("").startsWith("application/dicom+json")) {
            throw new IOException("the ingest-service answered HTTP " + status + ": " + response.body().trim());
        }
        JsonNode body = JSON.readTree(response.body());
        JsonNode failed = body.path("00081198").path("Value");
        if (failed.size() > 0) {
            JsonNode item = failed.get(0);
            return new FileOutcome(file, Kind.REFUSED, String.format("0x%04X ", item.path("00081197").path("Value").path(0).asInt())
                    + item.path("00000902").path("Value").path(0).asText(""));
        }
        JsonNode item = body.path("00081199").path("Value").path(0);
        String reason = item.path("00000902").path("Value").path(0).asText("");
        return reason.isEmpty() ? new FileOutcome(file, Kind.STORED, "") : new FileOutcome(file, Kind.NOT_PROCESSED, reason);
    }

    private static InputStream body(String boundary, Path file) {
        try {
            return new SequenceInputStream(java.util.Collections.enumeration(List.of(
                    text("--" + boundary + "\r\nContent-Type: application/dicom\r\n\r\n"), Files.newInputStream(file),
                    text("\r\n--" + boundary + "--\r\n"))));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static InputStream text(String s) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.US_ASCII));
    }
}

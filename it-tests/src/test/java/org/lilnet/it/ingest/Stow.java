package org.lilnet.it.ingest;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
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
import java.util.Collections;
import java.util.List;
import java.util.UUID;

/** A STOW-RS client: posts files as one multipart/related request, streamed from disk. */
public final class Stow {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private Stow() {
    }

    public static HttpResponse<String> post(String url, String token, List<Path> files) throws IOException, InterruptedException {
        String boundary = "lilnet-" + UUID.randomUUID();
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMinutes(5))
                .header("Content-Type", "multipart/related; type=\"application/dicom\"; boundary=" + boundary)
                .header("Accept", "application/dicom+json")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> body(boundary, files)));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static InputStream body(String boundary, List<Path> files) {
        List<InputStream> parts = new ArrayList<>();
        try {
            for (Path f : files) {
                parts.add(text("--" + boundary + "\r\nContent-Type: application/dicom\r\n\r\n"));
                parts.add(Files.newInputStream(f));
                parts.add(text("\r\n"));
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        parts.add(text("--" + boundary + "--\r\n"));
        return new SequenceInputStream(Collections.enumeration(parts));
    }

    private static InputStream text(String s) {
        return new java.io.ByteArrayInputStream(s.getBytes(StandardCharsets.US_ASCII));
    }

    static byte[] bytes(String s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(s.getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }
}

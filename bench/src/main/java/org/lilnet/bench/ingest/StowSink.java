package org.lilnet.bench.ingest;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The same-run baseline of the STOW-RS figures, as dcmtk's storescp is for C-STORE: an HTTP endpoint that takes a
 * {@code POST /studies} body, writes it to a file (no parsing, no fsync) and answers 200, with as many threads as the
 * ingest-service serves STOW-RS requests. What HTTP over loopback and a file write cost, with nothing checked. Its
 * sockets have TCP_NODELAY set: without it the JDK's HTTP server sends the response headers and body in two small
 * writes and the second waits for the client's delayed acknowledgement (about 40 ms a request on Linux).
 *
 * <pre>java org.lilnet.bench.ingest.StowSink PORT DIR THREADS</pre>
 */
public final class StowSink {

    private StowSink() {
    }

    public static void main(String[] args) throws IOException {
        int port = Integer.parseInt(args[0]);
        Path dir = Files.createDirectories(Path.of(args[1]));
        int threads = Integer.parseInt(args[2]);
        System.setProperty("sun.net.httpserver.nodelay", "true");
        AtomicLong count = new AtomicLong();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 64);
        server.createContext("/studies", exchange -> {
            try (exchange) {
                Path file = dir.resolve(count.incrementAndGet() + ".multipart");
                try (InputStream in = exchange.getRequestBody(); OutputStream out = Files.newOutputStream(file)) {
                    in.transferTo(out);
                }
                byte[] answer = "{}".getBytes(StandardCharsets.US_ASCII);
                exchange.getResponseHeaders().add("Content-Type", "application/dicom+json");
                exchange.sendResponseHeaders(200, answer.length);
                exchange.getResponseBody().write(answer);
            }
        });
        server.setExecutor(Executors.newFixedThreadPool(threads));
        server.start();
        System.out.println("stow sink listening on 127.0.0.1:" + port);
    }
}

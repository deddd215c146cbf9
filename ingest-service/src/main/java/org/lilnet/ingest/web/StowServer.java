package org.lilnet.ingest.web;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.lilnet.ingest.intake.DicomStatus;
import org.lilnet.ingest.intake.Intake;
import org.lilnet.ingest.intake.IntakeResult;
import org.lilnet.ingest.intake.Source;
import org.lilnet.ingest.intake.Spool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * DICOMweb STOW-RS: {@code POST /studies} and {@code POST /studies/{StudyInstanceUID}} with a body of
 * {@code multipart/related; type="application/dicom"}. The body is read part by part as it arrives; each part is
 * spooled (memory, then disk beyond a limit) and goes through {@link Intake} before the next is read, so a whole
 * study is never held in memory. Optional bearer-token authentication (401 without it).
 */
public final class StowServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(StowServer.class);
    static final String DICOM_JSON = "application/dicom+json";
    /**
     * How much of a request body the server still reads, and drops, before it answers without having read it all (a
     * refusal, a malformed multipart body): a client still sending would otherwise have its connection reset and
     * see that instead of the status. A longer rest is left unread and the connection closed.
     */
    static final long UNREAD_BODY_LIMIT = 64L << 20;

    /**
     * @param host        interface to listen on
     * @param port        0 picks a free port
     * @param bearerToken required as {@code Authorization: Bearer <token>}; null: no authentication
     * @param threads     requests served at once
     */
    public record Settings(String host, int port, String bearerToken, int threads) {
    }

    private final Settings settings;
    private final Intake intake;
    private final Spool spool;
    private HttpServer server;
    private ExecutorService executor;

    public StowServer(Settings settings, Intake intake, Spool spool) {
        this.settings = settings;
        this.intake = intake;
        this.spool = spool;
    }

    public void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(settings.host(), settings.port()), 64);
        AtomicInteger n = new AtomicInteger();
        executor = Executors.newFixedThreadPool(settings.threads(), r -> {
            Thread t = new Thread(r, "stow-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/studies", this::handle);
        server.start();
        LOG.info("DICOMweb STOW-RS on http://{}:{}/studies{}", settings.host(), port(),
                settings.bearerToken() == null ? "" : " (bearer token required)");
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public boolean running() {
        return server != null && executor != null && !executor.isShutdown();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String peer = exchange.getRemoteAddress().getAddress().getHostAddress();
            if (!"POST".equals(exchange.getRequestMethod())) {
                exchange.getResponseHeaders().set("Allow", "POST");
                plain(exchange, 405, "only STOW-RS (POST) is served here");
                return;
            }
            if (!authorized(exchange)) {
                LOG.warn("STOW-RS request from {} refused: missing or wrong bearer token", peer);
                exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"lilnet-ingest\"");
                plain(exchange, 401, "a bearer token is required (Authorization: Bearer ...)");
                return;
            }
            String path = exchange.getRequestURI().getPath();
            String study = null;
            if (!path.equals("/studies") && !path.equals("/studies/")) {
                study = path.substring("/studies/".length());
                if (study.endsWith("/")) {
                    study = study.substring(0, study.length() - 1);
                }
                if (!study.matches("[0-9]+(\\.[0-9]+)+")) {
                    plain(exchange, 404, "no such resource: " + path);
                    return;
                }
            }
            String accept = exchange.getRequestHeaders().getFirst("Accept");
            if (accept != null && !acceptsJson(accept)) {
                plain(exchange, 406, "the response is application/dicom+json; the request accepts only " + accept);
                return;
            }
            ContentType type = ContentType.parse(exchange.getRequestHeaders().getFirst("Content-Type"));
            if (!type.mediaType().equals("multipart/related")) {
                plain(exchange, 415, "expected multipart/related; type=\"application/dicom\", got " + type.mediaType());
                return;
            }
            String partType = type.parameter("type");
            if (partType != null && !partType.trim().equalsIgnoreCase("application/dicom")) {
                plain(exchange, 415, "only type=\"application/dicom\" is accepted (not " + partType + ")");
                return;
            }
            String boundary = type.parameter("boundary");
            if (boundary == null || boundary.isEmpty() || boundary.length() > 70) {
                plain(exchange, 400, "the multipart/related content type has no valid boundary parameter");
                return;
            }
            store(exchange, peer, study, boundary);
        } catch (IOException | RuntimeException e) {
            LOG.warn("STOW-RS request failed: {}", e.toString());
        }
    }

    private void store(HttpExchange exchange, String peer, String study, String boundary) throws IOException {
        long start = System.nanoTime();
        StowResponse response = new StowResponse();
        String malformed = null;
        Source source = Source.stow(peer, study);
        // not closed here: what a malformed body leaves unread is dropped before the answer (send); the exchange closes it
        InputStream body = exchange.getRequestBody();
        MultipartReader reader = new MultipartReader(body, boundary);
        MultipartReader.Part part;
        int index = 0;
        while (true) {
            try {
                part = reader.next();
            } catch (MultipartReader.MalformedMultipart e) {
                malformed = e.getMessage();
                break;
            }
            if (part == null) {
                break;
            }
            index++;
            ContentType partType = ContentType.parse(part.contentType());
            if (!partType.mediaType().isEmpty() && !partType.mediaType().equals("application/dicom")) {
                part.content().transferTo(OutputStream.nullOutputStream());
                response.add(new IntakeResult(null, DicomStatus.CANNOT_UNDERSTAND, DicomStatus.CANNOT_UNDERSTAND, "NOT_APPLICATION_DICOM",
                        "part " + index + " is " + partType.mediaType() + ", not application/dicom", null, null, null, null));
                continue;
            }
            Spool.Writer writer = spool.writer();
            try {
                part.content().transferTo(writer);
            } catch (MultipartReader.MalformedMultipart e) {
                writer.discard();
                malformed = e.getMessage();
                response.add(new IntakeResult(null, DicomStatus.CANNOT_UNDERSTAND, DicomStatus.CANNOT_UNDERSTAND, "INCOMPLETE_PART",
                        "part " + index + ": " + e.getMessage(), null, null, null, null));
                break;
            } catch (IOException e) {
                writer.discard();
                throw e;
            }
            try (Spool.SpooledInstance instance = writer.finish()) {
                response.add(intake.accept(instance, source));
            }
        }
        if (response.size() == 0) {
            plain(exchange, 400, malformed != null ? "malformed multipart body: " + malformed : "the request holds no part");
            return;
        }
        int status = response.httpStatus();
        if (status == 503) {
            exchange.getResponseHeaders().set("Retry-After", "10");
        }
        if (malformed != null) {
            exchange.getResponseHeaders().add("Warning", "299 lilnet-ingest \"malformed multipart body: " + malformed.replace('"', '\'') + "\"");
        }
        send(exchange, status, DICOM_JSON, response.json());
        LOG.info("STOW-RS from {}{}: {} instance(s), HTTP {} in {} ms", peer, study == null ? "" : " to study " + study, response.size(), status,
                (System.nanoTime() - start) / 1_000_000);
    }

    /**
     * Reads and drops up to {@link #UNREAD_BODY_LIMIT} of what the request body still holds. By read, not skip: the
     * JDK server's body stream does not bound skip by the request's length, which then waits on the connection.
     */
    private static void dropUnreadBody(HttpExchange exchange) throws IOException {
        InputStream body = exchange.getRequestBody();
        byte[] buffer = new byte[64 * 1024];
        long dropped = 0;
        int n;
        while (dropped < UNREAD_BODY_LIMIT && (n = body.read(buffer, 0, (int) Math.min(buffer.length, UNREAD_BODY_LIMIT - dropped))) > 0) {
            dropped += n;
        }
    }

    private boolean authorized(HttpExchange exchange) {
        if (settings.bearerToken() == null) {
            return true;
        }
        String header = exchange.getRequestHeaders().getFirst("Authorization");
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        byte[] given = header.substring(7).trim().getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(given, settings.bearerToken().getBytes(StandardCharsets.UTF_8));
    }

    private static boolean acceptsJson(String accept) {
        for (String a : accept.split(",")) {
            String media = a.split(";")[0].trim().toLowerCase(Locale.ROOT);
            if (media.equals(DICOM_JSON) || media.equals("application/json") || media.equals("*/*") || media.equals("application/*")) {
                return true;
            }
        }
        return false;
    }

    private static void plain(HttpExchange exchange, int status, String message) throws IOException {
        send(exchange, status, "text/plain; charset=utf-8", message + "\n");
    }

    private static void send(HttpExchange exchange, int status, String type, String body) throws IOException {
        dropUnreadBody(exchange);
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    public void stop(Duration grace) {
        if (server != null) {
            server.stop(1); // requests being served finish on the executor below
        }
        if (executor != null) {
            executor.shutdown();
            try {
                executor.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void close() {
        stop(Duration.ofSeconds(5));
    }
}

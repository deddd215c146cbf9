package org.lilnet.ingest.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lilnet.common.blob.FileBlobStore;
import org.lilnet.dicom.CtSliceWriter;
import org.lilnet.events.DeadLetter;
import org.lilnet.ingest.cases.CaseJournal;
import org.lilnet.ingest.cases.CaseRegistry;
import org.lilnet.ingest.intake.Intake;
import org.lilnet.ingest.intake.IntakeMetrics;
import org.lilnet.ingest.intake.Spool;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

class StowServerTest {

    static final Path CORPUS = Path.of(System.getProperty("lilnet.shared.dir", "../../shared"), "dicom-corpus").toAbsolutePath().normalize();
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    FileBlobStore blobs;
    final List<DeadLetter> letters = new CopyOnWriteArrayList<>();
    StowServer server;
    final HttpClient http = HttpClient.newHttpClient();

    void start(String token) throws Exception {
        blobs = new FileBlobStore(dir.resolve("blobs"));
        CaseRegistry cases = new CaseRegistry(new CaseJournal(dir.resolve("state"), false), Clock.systemUTC(), Duration.ofSeconds(30),
                Duration.ofMinutes(10));
        Intake intake = new Intake(blobs, cases, (k, l) -> letters.add(l), new IntakeMetrics(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT)),
                new Intake.Policy(true, true), Clock.systemUTC(), "test");
        // a small memory limit, so that parts go through the spool's files too
        server = new StowServer(new StowServer.Settings("127.0.0.1", 0, token, 2), intake, new Spool(dir.resolve("spool"), 10_000, 64 << 20));
        server.start();
    }

    @BeforeEach
    void setUp() throws Exception {
        start(null);
    }

    @AfterEach
    void tearDown() {
        server.close();
    }

    static byte[] ct(CtSliceWriter w) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        w.size(64, 64).write(out);
        return out.toByteArray();
    }

    static byte[] multipart(String boundary, byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(("--" + boundary + "\r\nContent-Type: application/dicom\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.writeBytes(p);
            out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        out.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }

    HttpResponse<String> post(String path, String contentType, byte[] body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofByteArray(body));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> stow(byte[]... parts) throws Exception {
        return post("/studies", "multipart/related; type=\"application/dicom\"; boundary=XyZ", multipart("XyZ", parts));
    }

    static JsonNode items(HttpResponse<String> response, String tag) throws Exception {
        return JSON.readTree(response.body()).path(tag).path("Value");
    }

    @Test
    void storesEveryInstanceAndAnswers200InDicomJson() throws Exception {
        CtSliceWriter a = new CtSliceWriter();
        CtSliceWriter b = new CtSliceWriter().study(a.studyUid()).series(a.seriesUid());

        HttpResponse<String> r = stow(ct(a), ct(b), Files.readAllBytes(CORPUS.resolve("abdomen/SIEMENS_Avanto_MR_abdomen_overlays.dcm")));

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/dicom+json");
        JsonNode stored = items(r, "00081199");
        assertThat(stored).hasSize(3);
        assertThat(stored.get(0).path("00081155").path("Value").get(0).asText()).isEqualTo(a.sopUid());
        assertThat(stored.get(2).path("00000902").path("Value").get(0).asText()).startsWith("NOT_CT");
        assertThat(JSON.readTree(r.body()).has("00081198")).isFalse();
        assertThat(blobs.exists("dicom/" + a.studyUid() + "/" + a.seriesUid() + "/" + b.sopUid() + ".dcm")).isTrue();
    }

    @Test
    void answers202WithAFailedSopSequenceWhenSomeInstancesAreRefused() throws Exception {
        CtSliceWriter good = new CtSliceWriter();
        CtSliceWriter bad = new CtSliceWriter();
        byte[] whole = ct(bad);
        byte[] truncated = Arrays.copyOf(whole, whole.length - 500);

        HttpResponse<String> r = stow(ct(good), truncated);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        JsonNode failed = items(r, "00081198");
        assertThat(failed).hasSize(1);
        assertThat(failed.get(0).path("00081155").path("Value").get(0).asText()).isEqualTo(bad.sopUid());
        assertThat(failed.get(0).path("00081197").path("Value").get(0).asInt()).isEqualTo(0xC000);
        assertThat(failed.get(0).path("00000902").path("Value").get(0).asText()).startsWith("PIXEL_DATA_TRUNCATED");
        assertThat(items(r, "00081199")).hasSize(1);
    }

    @Test
    void answers202WithAWarningReasonForAStoredInstanceThatDoesNotMatchItsSopClass() throws Exception {
        HttpResponse<String> r = stow(ct(new CtSliceWriter().withoutPixelSpacing()));

        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        assertThat(items(r, "00081199").get(0).path("00081196").path("Value").get(0).asInt()).isEqualTo(0xB007);
    }

    @Test
    void answers409WhenNothingIsStoredWithAReasonPerInstance() throws Exception {
        HttpResponse<String> r = stow(Files.readAllBytes(CORPUS.resolve("ct-transfer-syntax/CTImage_JPEGLSLosslessTransferSyntax_1.2.840.10008.1.2.4.80.dcm")),
                "not dicom".getBytes(), Files.readAllBytes(CORPUS.resolve("malformed/fodicom_GH223.dcm")));

        assertThat(r.statusCode()).as(r.body()).isEqualTo(409);
        JsonNode failed = items(r, "00081198");
        assertThat(failed).hasSize(3);
        assertThat(failed.get(0).path("00081197").path("Value").get(0).asInt()).isEqualTo(0xC122);
        assertThat(failed.get(1).path("00081197").path("Value").get(0).asInt()).isEqualTo(0xC000);
        assertThat(failed.get(2).path("00081197").path("Value").get(0).asInt()).isEqualTo(0xA900);
        assertThat(letters).hasSize(3);
    }

    @Test
    void refusesAnInstanceOfAnotherStudyThanThePathNames() throws Exception {
        HttpResponse<String> r = post("/studies/1.2.3.4", "multipart/related; type=\"application/dicom\"; boundary=B",
                multipart("B", ct(new CtSliceWriter())));

        assertThat(r.statusCode()).isEqualTo(409);
        assertThat(items(r, "00081198").get(0).path("00000902").path("Value").get(0).asText()).startsWith("STUDY_MISMATCH");
    }

    @Test
    void answersProtocolErrorsWithTheirHttpStatus() throws Exception {
        byte[] body = multipart("B", ct(new CtSliceWriter()));

        assertThat(post("/studies", "application/dicom", body).statusCode()).isEqualTo(415);
        assertThat(post("/studies", "multipart/related; type=\"application/dicom+xml\"; boundary=B", body).statusCode()).isEqualTo(415);
        assertThat(post("/studies", "multipart/related; type=\"application/dicom\"", body).statusCode()).isEqualTo(400);
        assertThat(post("/studies", "multipart/related; type=\"application/dicom\"; boundary=B", body, "Accept", "application/dicom+xml").statusCode())
                .isEqualTo(406);
        assertThat(post("/studies", "multipart/related; type=\"application/dicom\"; boundary=other", body).statusCode()).isEqualTo(400);
        HttpResponse<String> get = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/studies")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(get.statusCode()).isEqualTo(405);
    }

    @Test
    void requiresTheBearerTokenWhenOneIsConfigured() throws Exception {
        server.close();
        start("s3cret");
        byte[] body = multipart("B", ct(new CtSliceWriter()));
        String type = "multipart/related; type=\"application/dicom\"; boundary=B";

        HttpResponse<String> none = post("/studies", type, body);
        HttpResponse<String> wrong = post("/studies", type, body, "Authorization", "Bearer nope");
        HttpResponse<String> right = post("/studies", type, body, "Authorization", "Bearer s3cret");

        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(right.statusCode()).isEqualTo(200);
    }

    @Test
    void aRefusedUploadStillGetsItsStatusWhateverItsBodySize() throws Exception {
        // the server answers before reading the body: unless it reads the rest, closing the connection resets it under
        // a client still sending, which then sees "connection reset" instead of the 401
        server.close();
        start("s3cret");
        byte[] slice = new byte[4 << 20];
        Arrays.fill(slice, (byte) 7);
        String type = "multipart/related; type=\"application/dicom\"; boundary=B";
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> none = post("/studies", type, multipart("B", slice, slice));
            assertThat(none.statusCode()).isEqualTo(401);
        }
    }
}

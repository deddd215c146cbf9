package org.lilnet.common.kafka;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lilnet.common.topics.Topics;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Our own registry calls (readiness, schema registration) authenticate and trust certificates as the serdes'
 * {@code apicurio.registry.*} settings say. The registry here is a small HTTP server that demands what a secured
 * registry would: it answers only requests carrying the right credentials, or only over TLS with its own certificate.
 */
class RegistryHttpTest {

    private static final String P = RegistryHttp.PREFIX;

    private HttpServer server;
    private final List<String> authorizations = Collections.synchronizedList(new ArrayList<>());

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    /** A registry that answers /system/info and the schema registration calls only with {@code expected}. */
    private String registryDemanding(HttpServer s, String expected) {
        server = s;
        s.createContext("/apis/", exchange -> {
            String auth = exchange.getRequestHeaders().getFirst("Authorization");
            authorizations.add(String.valueOf(auth));
            exchange.getRequestBody().readAllBytes();
            if (expected != null && !expected.equals(auth)) {
                answer(exchange, 401, "{\"message\":\"unauthorized\"}");
            } else {
                answer(exchange, 200, exchange.getRequestURI().getPath().endsWith("/system/info") ? "{}" : "{\"version\":3,\"id\":41}");
            }
        });
        s.start();
        return (s instanceof HttpsServer ? "https://localhost:" : "http://127.0.0.1:") + s.getAddress().getPort();
    }

    private static void answer(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    @Test
    void basicAuthenticationIsSentWhenUsernameAndPasswordAreSet() throws Exception {
        String basic = "Basic " + Base64.getEncoder().encodeToString("lilnet:s3cret".getBytes(StandardCharsets.UTF_8));
        String url = registryDemanding(HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0), basic);

        RegistryAccess withCredentials = new RegistryAccess(url, Map.of(P + "auth.username", "lilnet", P + "auth.password", "s3cret"));
        Dependencies.awaitRegistry(withCredentials, Duration.ofSeconds(5));
        SchemaRegistration.Registered registered = SchemaRegistration.ensureRegistered(withCredentials, Topics.STUDIES);
        assertThat(registered.version()).isEqualTo(3);
        assertThat(registered.id()).isEqualTo(41);
        assertThat(authorizations).hasSize(3).containsOnly(basic);

        assertThatThrownBy(() -> Dependencies.awaitRegistry(RegistryAccess.of(url), Duration.ofMillis(300)))
                .hasMessageContaining("HTTP 401");
    }

    @Test
    void aClientCredentialsTokenIsFetchedOnceAndSentAsBearer() throws Exception {
        HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        AtomicInteger tokens = new AtomicInteger();
        List<String> forms = Collections.synchronizedList(new ArrayList<>());
        s.createContext("/token", exchange -> {
            forms.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            answer(exchange, 200, "{\"access_token\":\"tok-" + tokens.incrementAndGet() + "\",\"expires_in\":300,\"token_type\":\"Bearer\"}");
        });
        String url = registryDemanding(s, "Bearer tok-1");

        RegistryAccess access = new RegistryAccess(url, Map.of(P + "auth.service.token.endpoint", url + "/token",
                P + "auth.client.id", "lilnet-ingest", P + "auth.client.secret", "p&ss", P + "auth.client.scope", "registry"));
        RegistryHttp http = RegistryHttp.of(access, Duration.ofSeconds(3));
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> response = http.send(http.request(URI.create(access.v3Url() + "/system/info")).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(200);
        }
        assertThat(tokens).hasValue(1);
        assertThat(forms).containsExactly("grant_type=client_credentials&client_id=lilnet-ingest&client_secret=p%26ss&scope=registry");
        assertThat(authorizations).containsOnly("Bearer tok-1");
    }

    @Test
    void aRegistryWithItsOwnCertificateIsTrustedThroughTheTruststore(@TempDir Path dir) throws Exception {
        Path serverKeys = dir.resolve("registry.p12");
        Path cert = dir.resolve("registry.crt");
        Path trust = dir.resolve("trust.p12");
        keytool("-genkeypair", "-alias", "registry", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=localhost",
                "-ext", "SAN=dns:localhost", "-validity", "2", "-storetype", "PKCS12", "-keystore", serverKeys.toString(),
                "-storepass", "changeit", "-keypass", "changeit");
        keytool("-exportcert", "-alias", "registry", "-keystore", serverKeys.toString(), "-storepass", "changeit", "-file", cert.toString());
        keytool("-importcert", "-noprompt", "-alias", "registry", "-file", cert.toString(), "-storetype", "PKCS12",
                "-keystore", trust.toString(), "-storepass", "trustpass");

        HttpsServer https = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        https.setHttpsConfigurator(new HttpsConfigurator(serverContext(serverKeys)));
        String url = registryDemanding(https, null);

        Dependencies.awaitRegistry(new RegistryAccess(url, Map.of(P + "tls.truststore.location", trust.toString(),
                P + "tls.truststore.password", "trustpass", P + "tls.truststore.type", "PKCS12")), Duration.ofSeconds(5));
        assertThat(authorizations).isNotEmpty();

        // without it the JVM's default trust refuses the certificate, as it should
        assertThatThrownBy(() -> Dependencies.awaitRegistry(RegistryAccess.of(url), Duration.ofMillis(500)))
                .isInstanceOf(Dependencies.NotAvailable.class);
    }

    @Test
    void settingsItCannotHonourAreRefusedByName() {
        assertThatThrownBy(() -> RegistryHttp.of(new RegistryAccess("http://r", Map.of(P + "tls.certificates", "/etc/ca.pem")), Duration.ofSeconds(1)))
                .hasMessageContaining(P + "tls.certificates");
        assertThatThrownBy(() -> RegistryHttp.of(new RegistryAccess("http://r", Map.of(P + "tls.verify-host", "false")), Duration.ofSeconds(1)))
                .hasMessageContaining(P + "tls.verify-host");
        assertThatThrownBy(() -> RegistryHttp.of(new RegistryAccess("http://r", Map.of(P + "auth.username", "u")), Duration.ofSeconds(1)))
                .hasMessageContaining(P + "auth.password");
        assertThatThrownBy(() -> RegistryHttp.of(new RegistryAccess("http://r", Map.of(P + "tls.truststore.location", "/no/such.p12")), Duration.ofSeconds(1)))
                .hasMessageContaining("/no/such.p12");
    }

    private static SSLContext serverContext(Path keystore) throws Exception {
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            keys.load(in, "changeit".toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, "changeit".toCharArray());
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(kmf.getKeyManagers(), null, null);
        return context;
    }

    private static void keytool(String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as("keytool " + String.join(" ", args) + ": " + out).isZero();
    }
}

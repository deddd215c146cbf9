package org.lilnet.common.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Our own calls to the schema registry (readiness, schema registration), with the TLS and authentication settings the
 * operator gives the Apicurio serdes ({@code apicurio.registry.*}), so that a registry that demands them is reached the
 * same way by both:
 * <ul>
 *   <li>{@code apicurio.registry.auth.username} and {@code .password}: HTTP basic authentication;</li>
 *   <li>{@code apicurio.registry.auth.service.token.endpoint}, {@code .client.id}, {@code .client.secret} (and
 *       {@code .client.scope}): an OAuth2 client-credentials token, kept until shortly before it expires;</li>
 *   <li>{@code apicurio.registry.tls.truststore.location}, {@code .password}, {@code .type} (JKS or PKCS12): the
 *       certificates to trust; {@code apicurio.registry.tls.trust-all=true} trusts any (for tests only).</li>
 * </ul>
 * Settings it cannot honour ({@code tls.certificates}, {@code tls.verify-host=false}) are refused when it is built, with a
 * message naming them, rather than failing later with a handshake error.
 */
public final class RegistryHttp {

    static final String PREFIX = "apicurio.registry.";
    private static final ObjectMapper JSON = new ObjectMapper();
    /** A token is renewed this long before the registry's identity provider said it expires. */
    private static final Duration TOKEN_MARGIN = Duration.ofSeconds(30);

    private final HttpClient http;
    private final Map<String, String> settings;
    private String token;
    private long tokenValidUntilNanos;

    private RegistryHttp(HttpClient http, Map<String, String> settings) {
        this.http = http;
        this.settings = settings;
    }

    /** A client for the registry of {@code access}, with its TLS and authentication settings. */
    public static RegistryHttp of(RegistryAccess access, Duration connectTimeout) {
        Map<String, String> s = access.clientSettings();
        if (s.containsKey(PREFIX + "tls.certificates")) {
            throw new IllegalArgumentException(PREFIX + "tls.certificates is not supported by LiLNet's own registry calls: "
                    + "put the certificates into a truststore (" + PREFIX + "tls.truststore.location)");
        }
        if ("false".equalsIgnoreCase(s.get(PREFIX + "tls.verify-host"))) {
            throw new IllegalArgumentException(PREFIX + "tls.verify-host=false is not supported by LiLNet's own registry calls: "
                    + "use a certificate whose name matches the registry's host");
        }
        if (s.containsKey(PREFIX + "auth.username") != s.containsKey(PREFIX + "auth.password")) {
            throw new IllegalArgumentException(PREFIX + "auth.username and " + PREFIX + "auth.password go together");
        }
        HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(connectTimeout);
        sslContext(s).ifPresent(builder::sslContext);
        return new RegistryHttp(builder.build(), Map.copyOf(s));
    }

    /** A request to {@code uri} carrying the authentication the settings ask for. */
    public HttpRequest.Builder request(URI uri) throws IOException, InterruptedException {
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri);
        authorization().ifPresent(value -> builder.header("Authorization", value));
        return builder;
    }

    public <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> body) throws IOException, InterruptedException {
        return http.send(request, body);
    }

    private Optional<String> authorization() throws IOException, InterruptedException {
        String user = settings.get(PREFIX + "auth.username");
        if (user != null) {
            String pair = user + ":" + settings.get(PREFIX + "auth.password");
            return Optional.of("Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8)));
        }
        String endpoint = settings.get(PREFIX + "auth.service.token.endpoint");
        if (endpoint != null) {
            return Optional.of("Bearer " + token(endpoint));
        }
        return Optional.empty();
    }

    private synchronized String token(String endpoint) throws IOException, InterruptedException {
        if (token != null && System.nanoTime() < tokenValidUntilNanos) {
            return token;
        }
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", "client_credentials");
        form.put("client_id", required("auth.client.id"));
        form.put("client_secret", required("auth.client.secret"));
        if (settings.containsKey(PREFIX + "auth.client.scope")) {
            form.put("scope", settings.get(PREFIX + "auth.client.scope"));
        }
        String body = form.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(endpoint)).timeout(Duration.ofSeconds(15))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        if (answer.statusCode() != 200) {
            throw new IOException("the registry's token endpoint " + endpoint + " answered HTTP " + answer.statusCode() + ": " + answer.body());
        }
        JsonNode json = JSON.readTree(answer.body());
        if (!json.hasNonNull("access_token")) {
            throw new IOException("the registry's token endpoint " + endpoint + " gave no access_token");
        }
        token = json.get("access_token").asText();
        long lifetime = json.path("expires_in").asLong(60);
        tokenValidUntilNanos = System.nanoTime() + Math.max(0, Duration.ofSeconds(lifetime).minus(TOKEN_MARGIN).toNanos());
        return token;
    }

    private String required(String key) {
        String value = settings.get(PREFIX + key);
        if (value == null) {
            throw new IllegalArgumentException(PREFIX + "auth.service.token.endpoint needs " + PREFIX + key);
        }
        return value;
    }

    private static Optional<SSLContext> sslContext(Map<String, String> s) {
        try {
            if (Boolean.parseBoolean(s.get(PREFIX + "tls.trust-all"))) {
                SSLContext context = SSLContext.getInstance("TLS");
                context.init(null, new TrustManager[] {new TrustAll()}, null);
                return Optional.of(context);
            }
            String location = s.get(PREFIX + "tls.truststore.location");
            if (location == null) {
                return Optional.empty();
            }
            KeyStore store = KeyStore.getInstance(s.getOrDefault(PREFIX + "tls.truststore.type", "JKS"));
            String password = s.get(PREFIX + "tls.truststore.password");
            try (InputStream in = Files.newInputStream(Path.of(location))) {
                store.load(in, password == null ? null : password.toCharArray());
            }
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(store);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return Optional.of(context);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot use the registry truststore " + s.get(PREFIX + "tls.truststore.location")
                    + ": " + e.getMessage(), e);
        }
    }

    /** What {@code tls.trust-all} asks for: no certificate check (a test registry with a throw-away certificate). */
    private static final class TrustAll implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}

package org.lilnet.common.ops;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static org.assertj.core.api.Assertions.assertThat;

class HealthTest {

    @Test
    void downWhenAnyCheckIsDown() {
        Health health = new Health();
        health.register("kafka", () -> Health.Check.up("connected"));
        health.register("store", () -> Health.Check.down("disk \"full\""));

        Health.Report report = health.report();

        assertThat(report.up()).isFalse();
        assertThat(report.json()).isEqualTo("{\"status\":\"DOWN\",\"checks\":{\"kafka\":{\"status\":\"UP\",\"detail\":\"connected\"},"
                + "\"store\":{\"status\":\"DOWN\",\"detail\":\"disk \\\"full\\\"\"}}}");
    }

    @Test
    void aThrowingCheckCountsAsDown() {
        Health health = new Health();
        health.register("broken", () -> {
            throw new IllegalStateException("boom");
        });
        assertThat(health.report().up()).isFalse();
    }

    @Test
    void endpointsAnswerOverHttp() throws Exception {
        PrometheusMeterRegistry metrics = Metrics.create("test-service", "i1");
        metrics.counter("lilnet.test.things").increment(3);
        Health health = new Health();
        health.register("worker", () -> Health.Check.down("not started"));
        try (OpsServer server = new OpsServer("127.0.0.1", 0, metrics, health)) {
            HttpClient http = HttpClient.newHttpClient();
            String base = "http://127.0.0.1:" + server.port();

            HttpResponse<String> h = http.send(HttpRequest.newBuilder(URI.create(base + "/health")).build(), HttpResponse.BodyHandlers.ofString());
            HttpResponse<String> live = http.send(HttpRequest.newBuilder(URI.create(base + "/health/live")).build(), HttpResponse.BodyHandlers.ofString());
            HttpResponse<String> m = http.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());

            assertThat(h.statusCode()).isEqualTo(503);
            assertThat(h.body()).contains("\"worker\":{\"status\":\"DOWN\"");
            assertThat(live.statusCode()).isEqualTo(200);
            assertThat(m.body()).contains("lilnet_test_things_total{instance=\"i1\",service=\"test-service\"} 3.0")
                    .contains("jvm_memory_used_bytes");
        }
    }
}

package org.lilnet.common.kafka;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Waits at start-up for what a service needs (the broker, the registry) and says so while it waits, so that a
 * service started before its dependencies comes up by itself instead of crashing.
 */
public final class Dependencies {

    private static final Logger LOG = LoggerFactory.getLogger(Dependencies.class);
    private static final Duration LOG_EVERY = Duration.ofSeconds(10);

    private Dependencies() {
    }

    /** Thrown when a dependency did not come up in time. */
    public static final class NotAvailable extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public NotAvailable(String message) {
            super(message);
        }
    }

    /** Blocks until the Kafka cluster answers a describe-cluster request. */
    public static void awaitKafka(Map<String, Object> adminSettings, Duration timeout) {
        Map<String, Object> settings = new HashMap<>(adminSettings);
        settings.putIfAbsent(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000);
        settings.putIfAbsent(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5000);
        String what = "Kafka at " + settings.get(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG);
        try (Admin admin = Admin.create(settings)) {
            await(what, timeout, () -> {
                admin.describeCluster(new DescribeClusterOptions().timeoutMs(5000)).clusterId().get(6, TimeUnit.SECONDS);
                return null;
            });
        }
    }

    /** Blocks until the registry's API answers. */
    public static void awaitRegistry(RegistryAccess registry, Duration timeout) {
        RegistryHttp http = RegistryHttp.of(registry, Duration.ofSeconds(3));
        await("the schema registry at " + registry.baseUrl(), timeout, () -> {
            HttpRequest request = http.request(URI.create(registry.v3Url() + "/system/info")).timeout(Duration.ofSeconds(5)).GET().build();
            HttpResponse<Void> response = http.send(request, HttpResponse.BodyHandlers.discarding());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("HTTP " + response.statusCode());
            }
            return null;
        });
    }

    /** Something to try until it succeeds. */
    @FunctionalInterface
    public interface Attempt {
        Void run() throws Exception;
    }

    static void await(String what, Duration timeout, Attempt attempt) {
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        long nextLog = start;
        boolean waited = false;
        while (true) {
            try {
                attempt.run();
                if (waited) {
                    LOG.info("{} is available after {} s", what, (System.nanoTime() - start) / 1_000_000_000);
                }
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new NotAvailable("interrupted while waiting for " + what);
            } catch (Exception e) {
                long now = System.nanoTime();
                String cause = rootMessage(e);
                if (now >= deadline) {
                    throw new NotAvailable(what + " did not become available within " + timeout.toSeconds() + " s (last error: " + cause + ")");
                }
                if (now >= nextLog) {
                    LOG.warn("waiting for {} ({}), {} s so far", what, cause, (now - start) / 1_000_000_000);
                    nextLog = now + LOG_EVERY.toNanos();
                }
                waited = true;
                try {
                    Thread.sleep(500);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new NotAvailable("interrupted while waiting for " + what);
                }
            }
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
    }
}

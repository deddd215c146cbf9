package org.lilnet.common.ops;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.lilnet.common.config.CommonKeys;
import org.lilnet.common.config.Config;
import org.lilnet.common.config.ConfigDefinition;
import org.lilnet.common.config.ConfigException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * The {@code main} of every service: reads {@code --config FILE} (and the environment), refuses to start on a bad
 * configuration with a message naming the keys, starts the operations endpoints and the service, and stops the
 * service gracefully on SIGTERM.
 *
 * <pre>usage: SERVICE [--config FILE] [--describe-config]</pre>
 */
public final class ServiceRunner {

    /** Builds the service from its context (does not start it). */
    @FunctionalInterface
    public interface Factory {
        Service create(ServiceContext context) throws Exception;
    }

    public static final int EXIT_CONFIG = 2;
    public static final int EXIT_FAILED = 1;

    private ServiceRunner() {
    }

    public static void run(String[] args, ConfigDefinition definition, Factory factory) {
        // The JDK's HTTP server (STOW-RS, /health, /metrics) leaves Nagle's algorithm on unless told otherwise, which
        // holds small responses back ~40 ms: one instance per STOW-RS request went from 20 to 81/s with it off.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
        Logging.init(definition.service());
        Logger log = LoggerFactory.getLogger(definition.service());
        Path configFile = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--config" -> {
                    if (i + 1 >= args.length) {
                        exit(log, EXIT_CONFIG, "--config needs a file");
                    }
                    configFile = Path.of(args[++i]);
                }
                case "--describe-config" -> {
                    System.out.print(definition.markdown());
                    System.exit(0);
                }
                default -> exit(log, EXIT_CONFIG, "unknown argument '" + args[i] + "'; usage: "
                        + definition.service() + " [--config FILE] [--describe-config]");
            }
        }

        Config config;
        try {
            config = definition.load(configFile);
        } catch (ConfigException e) {
            exit(log, EXIT_CONFIG, e.getMessage());
            return;
        }
        log.info(config.describe());

        String instanceId = config.find(CommonKeys.INSTANCE_ID).orElseGet(ServiceRunner::defaultInstanceId);
        CountDownLatch stopped = new CountDownLatch(1);
        try {
            PrometheusMeterRegistry metrics = Metrics.create(definition.service(), instanceId);
            Health health = new Health();
            OpsServer ops = new OpsServer(config.get(CommonKeys.HTTP_HOST), config.get(httpPortKey(definition)), metrics, health);
            log.info("{} {}: /health and /metrics on port {}", definition.service(), instanceId, ops.port());
            Service service = factory.create(new ServiceContext(config, metrics, health, instanceId, ops));
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                log.info("{} stopping", definition.service());
                try {
                    service.close();
                } catch (RuntimeException e) {
                    log.error("error while stopping", e);
                }
                ops.close();
                log.info("{} stopped", definition.service());
                stopped.countDown();
            }, "shutdown"));
            service.start();
            log.info("{} started", definition.service());
        } catch (Exception e) {
            log.error("{} failed to start: {}", definition.service(), e.getMessage(), e);
            System.exit(EXIT_FAILED);
        }
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @SuppressWarnings("unchecked")
    private static org.lilnet.common.config.ConfigKey<Integer> httpPortKey(ConfigDefinition definition) {
        return (org.lilnet.common.config.ConfigKey<Integer>) definition.keys().stream()
                .filter(k -> k.name().equals("http.port")).findFirst()
                .orElseThrow(() -> new IllegalStateException(definition.service() + " declares no http.port"));
    }

    private static void exit(Logger log, int status, String message) {
        log.error(message);
        System.err.println(message);
        System.exit(status);
    }

    static String defaultInstanceId() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            host = "localhost";
        }
        return host.replaceAll("[^A-Za-z0-9._-]", "-") + "-" + ProcessHandle.current().pid();
    }
}

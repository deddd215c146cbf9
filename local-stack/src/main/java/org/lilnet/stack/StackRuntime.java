package org.lilnet.stack;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;

/**
 * Where the build put the real components: the Kafka broker's class path (jars in the local Maven repository)
 * and the Apicurio Registry tarball. Written by the {@code stack-runtime} module at build time.
 */
public record StackRuntime(String kafkaVersion, String brokerClasspath, String registryVersion, Path registryTarball) {

    private static final String RESOURCE = "/org/lilnet/stack/runtime.properties";

    public static StackRuntime load() {
        Properties p = new Properties();
        try (InputStream in = StackRuntime.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing: build the project (mvn -B package) before starting the stack");
            }
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        StackRuntime runtime = new StackRuntime(p.getProperty("kafka.version"), p.getProperty("broker.classpath"),
                p.getProperty("registry.version"), Path.of(p.getProperty("registry.tarball")));
        runtime.check();
        return runtime;
    }

    private void check() {
        List<String> missing = Arrays.stream(brokerClasspath.split(java.io.File.pathSeparator))
                .filter(jar -> !Files.exists(Path.of(jar))).toList();
        if (!missing.isEmpty()) {
            throw new IllegalStateException("the Kafka broker's jars are missing from the local Maven repository (" + missing.get(0)
                    + " and " + (missing.size() - 1) + " more): run mvn -B package again");
        }
        if (!Files.isRegularFile(registryTarball)) {
            throw new IllegalStateException("the Apicurio Registry tarball is missing: " + registryTarball + "; run mvn -B package again");
        }
    }
}

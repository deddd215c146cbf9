package org.lilnet.it.support;

import org.lilnet.stack.LocalStack;
import org.lilnet.stack.StackOptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * The one broker and one registry of an integration test run, started on first use (on free ports, so that runs
 * can share a machine) and stopped when the test JVM exits. {@code LILNET_IT_BOOTSTRAP_SERVERS} and
 * {@code LILNET_IT_REGISTRY_URL} point the tests at an existing stack instead.
 */
public final class ItStack {

    private static LocalStack stack;

    private ItStack() {
    }

    /** The stack with every catalog topic emptied: for tests that run pipeline services or read topics from the start. */
    public static synchronized LocalStack fresh() {
        LocalStack shared = get();
        PipelineTopics.empty(shared);
        return shared;
    }

    public static synchronized LocalStack get() {
        if (stack == null) {
            // a fresh stack per run: no topics, offsets or schemas left from an earlier run
            Path work = ItPaths.newWorkDirectory("stack-");
            StackOptions options = StackOptions.onFreePorts(work);
            String bootstrap = System.getenv("LILNET_IT_BOOTSTRAP_SERVERS");
            String registry = System.getenv("LILNET_IT_REGISTRY_URL");
            if (bootstrap != null && registry != null) {
                options = options.external(bootstrap, registry);
            }
            try {
                long start = System.nanoTime();
                stack = LocalStack.start(options);
                System.out.printf("[it] stack ready in %.1f s: kafka %s, registry %s%n", (System.nanoTime() - start) / 1e9,
                        stack.bootstrapServers(), stack.registryUrl());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            LocalStack started = stack;
            Runtime.getRuntime().addShutdownHook(new Thread(started::close, "it-stack-stop"));
        }
        return stack;
    }
}

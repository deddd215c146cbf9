package org.lilnet.launcher;

import org.lilnet.stack.LocalStack;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * {@code lilnet stack}: starts a real Kafka broker and schema registry, creates the topics, and keeps them running
 * until Ctrl-C (or SIGTERM), then stops both. With {@code --bootstrap-servers}/{@code --registry-url} it prepares
 * an existing cluster instead (topics, compatibility rule) and returns.
 */
@Command(name = "stack", mixinStandardHelpOptions = true,
        description = "Run a local Kafka broker and Apicurio Registry (real processes) until Ctrl-C, or prepare an existing cluster.")
public final class StackCommand implements Callable<Integer> {

    @Mixin
    StackCommandOptions stackOptions;

    @Override
    public Integer call() throws Exception {
        long start = System.nanoTime();
        LocalStack stack = LocalStack.start(stackOptions.options());
        System.out.printf("stack ready in %.1f s%n  kafka.bootstrap.servers=%s%n  registry.url=%s%n",
                (System.nanoTime() - start) / 1e9, stack.bootstrapServers(), stack.registryUrl());
        boolean ownsSomething = stack.brokerProcess() != null || stack.registryProcess() != null;
        if (!ownsSomething) {
            return 0;
        }
        System.out.println("Ctrl-C stops it.");
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("stopping the stack");
            stack.close();
            stopped.countDown();
        }));
        stopped.await();
        return 0;
    }
}

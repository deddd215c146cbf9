package org.lilnet.it.stack;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.Test;
import org.lilnet.common.kafka.RegistryAccess;
import org.lilnet.common.topics.Topic;
import org.lilnet.common.topics.Topics;
import org.lilnet.it.support.ItPaths;
import org.lilnet.it.support.ItStack;
import org.lilnet.stack.ChildProcess;
import org.lilnet.stack.FreePorts;
import org.lilnet.stack.LocalStack;
import org.lilnet.stack.StackOptions;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The local stack: real broker and registry up in under a minute, topics created, nothing left behind. */
class LocalStackIT {

    @Test
    void comesUpInUnderAMinuteAndLeavesNoProcessBehind() throws Exception {
        StackOptions options = StackOptions.onFreePorts(ItPaths.newWorkDirectory("lifecycle"));
        long start = System.nanoTime();
        List<ProcessHandle> started = new ArrayList<>();
        try (LocalStack stack = LocalStack.start(options)) {
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("[it] a fresh broker and registry were ready in %.1f s%n", seconds);
            assertThat(seconds).isLessThan(60);

            for (ChildProcess p : List.of(stack.brokerProcess(), stack.registryProcess())) {
                assertThat(p.isAlive()).as(p.name()).isTrue();
                started.add(p.handle());
                started.addAll(p.handle().descendants().toList());
            }
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers()))) {
                assertThat(admin.describeCluster().nodes().get(30, TimeUnit.SECONDS)).hasSize(1);
            }
            HttpResponse<String> info = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create(RegistryAccess.of(stack.registryUrl()).v3Url() + "/system/info")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(info.body()).contains("Apicurio Registry");
        }

        for (ProcessHandle p : started) {
            assertThat(p.isAlive()).as("pid " + p.pid() + " after stop").isFalse();
        }
        for (int port : new int[] {options.kafkaPort(), options.controllerPort(), options.registryPort(), options.registryManagementPort()}) {
            assertThat(FreePorts.inUse(options.host(), port)).as("port " + port + " after stop").isFalse();
        }
    }

    @Test
    void everyTopicOfTheCatalogExistsWithItsPartitions() throws Exception {
        LocalStack stack = ItStack.get();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers()))) {
            var described = admin.describeTopics(Topics.ALL.stream().map(Topic::name).toList()).allTopicNames().get(30, TimeUnit.SECONDS);
            for (Topic<?> topic : Topics.ALL) {
                assertThat(described.get(topic.name()).partitions()).as(topic.name()).hasSize(topic.defaultPartitions());
            }
        }
    }

    @Test
    void theRegistryRefusesAnIncompatibleSchema() throws Exception {
        LocalStack stack = ItStack.get();
        String ccompat = RegistryAccess.of(stack.registryUrl()).confluentCompatibleUrl();
        String subject = "lilnet.it-compat-" + System.nanoTime() + "-value";
        HttpClient http = HttpClient.newHttpClient();

        int first = register(http, ccompat, subject, "{\\\"type\\\":\\\"record\\\",\\\"name\\\":\\\"R\\\",\\\"fields\\\":[{\\\"name\\\":\\\"a\\\",\\\"type\\\":\\\"string\\\"}]}");
        int incompatible = register(http, ccompat, subject, "{\\\"type\\\":\\\"record\\\",\\\"name\\\":\\\"R\\\",\\\"fields\\\":[{\\\"name\\\":\\\"a\\\",\\\"type\\\":\\\"string\\\"},{\\\"name\\\":\\\"b\\\",\\\"type\\\":\\\"int\\\"}]}");

        assertThat(first).isEqualTo(200);
        assertThat(incompatible).isEqualTo(409);
    }

    private static int register(HttpClient http, String ccompat, String subject, String escapedSchema) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(ccompat + "/subjects/" + subject + "/versions"))
                .header("Content-Type", "application/vnd.schemaregistry.v1+json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"schema\":\"" + escapedSchema + "\"}"))
                .timeout(Duration.ofSeconds(10)).build();
        return http.send(request, HttpResponse.BodyHandlers.ofString()).statusCode();
    }
}

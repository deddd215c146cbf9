package org.lilnet.it.support;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.common.TopicPartition;
import org.lilnet.common.topics.Topic;
import org.lilnet.common.topics.Topics;
import org.lilnet.stack.LocalStack;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The run's broker is shared by every integration test. A test that starts pipeline services or reads a topic from
 * its start begins with the catalog's topics emptied (their records deleted up to the current end), so that it never
 * finds cases, tasks or deliberately bad records another test left behind.
 */
public final class PipelineTopics {

    private PipelineTopics() {
    }

    /** Deletes every record of every catalog topic (the topics stay; offsets go on from where they were). */
    public static void empty(LocalStack stack) {
        List<Topic<?>> topics = Topics.ALL;
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers()))) {
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (var description : admin.describeTopics(topics.stream().map(Topic::name).toList()).allTopicNames().get(30, TimeUnit.SECONDS).values()) {
                description.partitions().forEach(p -> latest.put(new TopicPartition(description.name(), p.partition()), OffsetSpec.latest()));
            }
            Map<TopicPartition, RecordsToDelete> delete = new HashMap<>();
            admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS)
                    .forEach((tp, info) -> delete.put(tp, RecordsToDelete.beforeOffset(info.offset())));
            admin.deleteRecords(delete).all().get(30, TimeUnit.SECONDS);
            System.out.println("[it] pipeline topics emptied");
        } catch (Exception e) {
            throw new IllegalStateException("could not empty the pipeline topics", e);
        }
    }
}

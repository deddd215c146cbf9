package org.lilnet.it.ingest;

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
 * The run's broker is shared by every integration test: the events the ingest tests wrote (StudyArrived, DetectTasks,
 * dead letters) are deleted when they finish, so that a later test reading a topic from its start (the aggregator's)
 * does not find cases it did not make.
 */
final class TopicCleanup {

    private TopicCleanup() {
    }

    static void deleteWhatIngestWrote(LocalStack stack) {
        List<Topic<?>> topics = List.of(Topics.STUDIES, Topics.DETECT_TASKS, Topics.DEAD_LETTERS);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers()))) {
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (var description : admin.describeTopics(topics.stream().map(Topic::name).toList()).allTopicNames().get(30, TimeUnit.SECONDS).values()) {
                description.partitions().forEach(p -> latest.put(new TopicPartition(description.name(), p.partition()), OffsetSpec.latest()));
            }
            Map<TopicPartition, RecordsToDelete> delete = new HashMap<>();
            admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS)
                    .forEach((tp, info) -> delete.put(tp, RecordsToDelete.beforeOffset(info.offset())));
            admin.deleteRecords(delete).all().get(30, TimeUnit.SECONDS);
            System.out.println("[it] records of " + topics + " deleted (ingest tests done)");
        } catch (Exception e) {
            System.out.println("[it] could not delete the ingest tests' records: " + e);
        }
    }
}

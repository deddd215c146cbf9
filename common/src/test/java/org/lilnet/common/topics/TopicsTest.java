package org.lilnet.common.topics;

import org.junit.jupiter.api.Test;
import org.lilnet.common.kafka.RegistryAccess;

import java.util.HashSet;

import static org.assertj.core.api.Assertions.assertThat;

class TopicsTest {

    @Test
    void namesAreUniqueVersionedAndPrefixed() {
        var names = new HashSet<String>();
        for (Topic<?> t : Topics.ALL) {
            assertThat(names.add(t.name())).as(t.name()).isTrue();
            assertThat(t.name()).matches("lilnet\\.[a-z-]+\\.v\\d+");
            assertThat(t.defaultPartitions()).isPositive();
        }
        assertThat(Topics.ALL).hasSize(6);
    }

    @Test
    void theAggregatorsInputsAreCoPartitioned() {
        assertThat(Topics.STUDIES.defaultPartitions()).isEqualTo(Topics.PREDICTIONS.defaultPartitions());
    }

    @Test
    void subjectsFollowTheTopicNameStrategy() {
        assertThat(Topics.DIAGNOSES.valueSubject()).isEqualTo("lilnet.diagnoses.v1-value");
        assertThat(Topics.byName("lilnet.detections.v1")).contains(Topics.DETECTIONS);
    }

    @Test
    void registryUrlsAreDerivedFromAnyOfItsForms() {
        for (String given : new String[] {"http://r:8080", "http://r:8080/", "http://r:8080/apis/registry/v3", "http://r:8080/apis/ccompat/v7"}) {
            RegistryAccess access = RegistryAccess.of(given);
            assertThat(access.v3Url()).as(given).isEqualTo("http://r:8080/apis/registry/v3");
            assertThat(access.confluentCompatibleUrl()).isEqualTo("http://r:8080/apis/ccompat/v7");
        }
    }
}

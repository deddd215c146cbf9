package org.lilnet.deploy;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class PromQlTest {

    @Test
    void findsSelectorsMatchersAndGroupingLabels() {
        PromQl.Query q = PromQl.parse("histogram_quantile(0.95, sum by (le, status) (rate(lilnet_aggregator_prediction_to_diagnosis_seconds_bucket"
                + "{service=\"aggregator\", status!~\"FAILED|NO_LESION\"}[$__rate_interval]))) > on(instance) group_left up offset 5m");
        assertThat(q.selectors()).extracting(PromQl.Selector::metric)
                .containsExactly("lilnet_aggregator_prediction_to_diagnosis_seconds_bucket", "up");
        assertThat(q.selectors().get(0).matchers()).isEqualTo(Map.of("service", "aggregator", "status", "FAILED|NO_LESION"));
        assertThat(q.groupingLabels()).containsExactly("le", "status", "instance");
    }

    @Test
    void skipsFunctionsKeywordsNumbersStringsAndVariables() {
        PromQl.Query q = PromQl.parse("sum without (instance) (increase(lilnet_worker_tasks_total{outcome='ok'}[1h])) * 3600 "
                + "/ clamp_min(sum(rate(lilnet_worker_tasks_total[${__range}])), 1e-9) and bool 1");
        assertThat(q.selectors()).extracting(PromQl.Selector::metric).containsExactly("lilnet_worker_tasks_total", "lilnet_worker_tasks_total");
        assertThat(q.groupingLabels()).containsExactly("instance");
    }

    @Test
    void readsNameMatchers() {
        PromQl.Query q = PromQl.parse("{__name__=\"jvm_memory_used_bytes\", area=\"heap\"}");
        assertThat(q.selectors()).containsExactly(new PromQl.Selector("jvm_memory_used_bytes", Map.of("area", "heap")));
    }
}

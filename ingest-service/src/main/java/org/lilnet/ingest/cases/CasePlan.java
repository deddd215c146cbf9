package org.lilnet.ingest.cases;

import org.lilnet.events.DetectTask;
import org.lilnet.events.StudyArrived;

import java.util.List;

/**
 * What opening a case writes, in one transaction: the StudyArrived event (key: case id) and one DetectTask per chunk
 * (key: {@code <SeriesInstanceUID>/<chunkIndex>}).
 */
public record CasePlan(StudyArrived study, List<KeyedTask> tasks) {

    public record KeyedTask(String key, DetectTask task) {
    }

    public CasePlan {
        tasks = List.copyOf(tasks);
    }
}

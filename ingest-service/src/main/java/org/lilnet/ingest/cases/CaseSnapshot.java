package org.lilnet.ingest.cases;

import java.util.List;

/**
 * A study's case as it is about to be opened (or reopened): the instances, the revision this opening gets, and the
 * version of the case it covers.
 */
public record CaseSnapshot(String studyUid, int revision, long version, List<InstanceRecord> records, long firstInstanceAt,
                           long lastInstanceAt) {

    public CaseSnapshot {
        records = List.copyOf(records);
    }
}

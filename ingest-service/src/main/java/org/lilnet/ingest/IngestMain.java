package org.lilnet.ingest;

import org.lilnet.common.ops.ServiceRunner;

/**
 * The ingest-service: receives CT studies over DICOM (C-STORE) and DICOMweb (STOW-RS), keeps them in the blob store,
 * recognises the phases and opens cases (StudyArrived + DetectTasks on Kafka).
 *
 * <pre>usage: ingest-service [--config FILE] [--describe-config]</pre>
 */
public final class IngestMain {

    private IngestMain() {
    }

    public static void main(String[] args) {
        ServiceRunner.run(args, IngestConfig.DEFINITION, IngestService::new);
    }
}

package org.lilnet.launcher.pipeline;

import org.junit.jupiter.api.Test;
import org.lilnet.events.Diagnosis;
import org.lilnet.events.DiagnosisStatus;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.lilnet.launcher.pipeline.TruthCheckTest.AP;
import static org.lilnet.launcher.pipeline.TruthCheckTest.PVP;
import static org.lilnet.launcher.pipeline.TruthCheckTest.found;

class DiagnosisTextTest {

    @Test
    void aDiagnosisReadsAsCaseStatusResultLesionsAndTime() {
        Diagnosis d = TruthCheckTest.diagnosis("malignant", "HCC", found(AP, 0, 0, 20, 10, 1, 3), found(PVP, 0, 0, 40, 10, 1, 3),
                found(AP, 0, 0, 10, 10, 5, 5), found(PVP, 0, 0, 5, 5, 5, 5));

        assertThat(DiagnosisText.describe(d)).isEqualTo("PH1 (case 1.2.3) v1 COMPLETE: malignant 0.80, HCC 0.60; "
                + "4 lesions: 28 mm (PVP), 14 mm (AP), 7 mm (AP) and 1 more; 4.2 s after the last instance");
    }

    @Test
    void withoutResultTheReasonRefusedInstancesAndNotesFollow() {
        Diagnosis d = Diagnosis.newBuilder(TruthCheckTest.diagnosis(null, null)).setMalignancyProbability(null).setSubtypeProbability(null)
                .setCaseId("1.2.826.0.1.3680043.8.498.12345678901").setStatus(DiagnosisStatus.FAILED)
                .setStatusReason("CHUNK_FAILED: 1 of 4 chunks failed").setRefusedInstances(1).setNotes(List.of("an instance was refused"))
                .setTimingsMillis(Map.of()).setLastInstanceAt(Instant.ofEpochMilli(7_500)).build();

        assertThat(DiagnosisText.describe(d)).isEqualTo("PH1 (case ...12345678901) v1 FAILED: no result; no lesion; 2.5 s after the last instance"
                + "\n      CHUNK_FAILED: 1 of 4 chunks failed\n      1 instance of the study refused at ingest\n      note: an instance was refused");
    }
}

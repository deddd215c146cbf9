package org.lilnet.ingest.cases;

import org.lilnet.dicom.DicomHeader;

import java.time.LocalTime;
import java.util.List;

/** Instance records for tests, axial 512x512 slices unless changed. */
final class Records {

    private Records() {
    }

    static InstanceRecord slice(String study, String series, String sop, String description, double z, int instanceNumber, long receivedAt) {
        return new InstanceRecord(study, series, sop, DicomHeader.CT_IMAGE_STORAGE, InstanceRecord.Outcome.PROCESSABLE, null, null,
                "dicom/" + study + "/" + series + "/" + sop + ".dcm", receivedAt, null, description, List.of("ORIGINAL", "PRIMARY", "AXIAL"),
                null, null, LocalTime.of(10, 0), null, null, 2.5, "ACME", instanceNumber, 512, 512, new double[] {0.7, 0.7},
                new double[] {-175, -175, z}, new double[] {1, 0, 0, 0, 1, 0}, "P1", "ACC1", "20240101", null);
    }

    static InstanceRecord withSeriesNumber(InstanceRecord r, int number) {
        return new InstanceRecord(r.studyUid(), r.seriesUid(), r.sopUid(), r.sopClassUid(), r.outcome(), r.reasonCode(), r.detail(), r.blobKey(),
                r.receivedAt(), number, r.seriesDescription(), r.imageType(), r.contrastAgent(), r.contrastStart(), r.acquisitionTime(),
                r.contentTime(), r.seriesTime(), r.sliceThicknessMm(), r.manufacturer(), r.instanceNumber(), r.rows(), r.columns(),
                r.pixelSpacing(), r.position(), r.orientation(), r.patientId(), r.accessionNumber(), r.studyDate(), r.expectedStudyInstances());
    }

    static InstanceRecord thickness(InstanceRecord r, double mm) {
        return new InstanceRecord(r.studyUid(), r.seriesUid(), r.sopUid(), r.sopClassUid(), r.outcome(), r.reasonCode(), r.detail(), r.blobKey(),
                r.receivedAt(), r.seriesNumber(), r.seriesDescription(), r.imageType(), r.contrastAgent(), r.contrastStart(), r.acquisitionTime(),
                r.contentTime(), r.seriesTime(), mm, r.manufacturer(), r.instanceNumber(), r.rows(), r.columns(),
                r.pixelSpacing(), r.position(), r.orientation(), r.patientId(), r.accessionNumber(), r.studyDate(), r.expectedStudyInstances());
    }

    static InstanceRecord imageType(InstanceRecord r, String... types) {
        return new InstanceRecord(r.studyUid(), r.seriesUid(), r.sopUid(), r.sopClassUid(), r.outcome(), r.reasonCode(), r.detail(), r.blobKey(),
                r.receivedAt(), r.seriesNumber(), r.seriesDescription(), List.of(types), r.contrastAgent(), r.contrastStart(), r.acquisitionTime(),
                r.contentTime(), r.seriesTime(), r.sliceThicknessMm(), r.manufacturer(), r.instanceNumber(), r.rows(), r.columns(),
                r.pixelSpacing(), r.position(), r.orientation(), r.patientId(), r.accessionNumber(), r.studyDate(), r.expectedStudyInstances());
    }

    static InstanceRecord coronal(InstanceRecord r) {
        return new InstanceRecord(r.studyUid(), r.seriesUid(), r.sopUid(), r.sopClassUid(), r.outcome(), r.reasonCode(), r.detail(), r.blobKey(),
                r.receivedAt(), r.seriesNumber(), r.seriesDescription(), r.imageType(), r.contrastAgent(), r.contrastStart(), r.acquisitionTime(),
                r.contentTime(), r.seriesTime(), r.sliceThicknessMm(), r.manufacturer(), r.instanceNumber(), r.rows(), r.columns(),
                r.pixelSpacing(), new double[] {-175, r.position()[2], 100}, new double[] {1, 0, 0, 0, 0, -1}, r.patientId(), r.accessionNumber(),
                r.studyDate(), r.expectedStudyInstances());
    }

    static InstanceRecord expecting(InstanceRecord r, int count) {
        return new InstanceRecord(r.studyUid(), r.seriesUid(), r.sopUid(), r.sopClassUid(), r.outcome(), r.reasonCode(), r.detail(), r.blobKey(),
                r.receivedAt(), r.seriesNumber(), r.seriesDescription(), r.imageType(), r.contrastAgent(), r.contrastStart(), r.acquisitionTime(),
                r.contentTime(), r.seriesTime(), r.sliceThicknessMm(), r.manufacturer(), r.instanceNumber(), r.rows(), r.columns(),
                r.pixelSpacing(), r.position(), r.orientation(), r.patientId(), r.accessionNumber(), r.studyDate(), count);
    }

    static InstanceRecord refused(String study, String series, String sop, InstanceRecord.Outcome outcome, String reason, long receivedAt) {
        return new InstanceRecord(study, series, sop, "1.2.840.10008.5.1.4.1.1.88.11", outcome, reason, "because " + reason, null, receivedAt,
                null, null, List.of(), null, null, null, null, null, null, null, null, 0, 0, null, null, null, "P1", null, null, null);
    }
}

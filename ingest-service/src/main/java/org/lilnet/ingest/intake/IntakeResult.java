package org.lilnet.ingest.intake;

import org.lilnet.ingest.cases.InstanceRecord;

/**
 * What became of one received instance, and what to answer.
 *
 * @param outcome        PROCESSABLE, STORED_NOT_PROCESSED, REFUSED; null when it could not even be refused properly
 *                       (storage failure: nothing kept, the sender must send again)
 * @param dimseStatus    C-STORE status (0x0000, 0xB007, 0xA700, 0xA900, 0xC000)
 * @param stowStatus     STOW-RS Failure Reason or Warning Reason (0 for success)
 * @param reasonCode     why it is not processed (null when it is)
 * @param detail         the reason in words
 * @param sopClassUid    as read (may be null)
 * @param sopInstanceUid as read (may be null)
 * @param studyUid       as read (may be null)
 * @param blobKey        where the bytes are now (instance key, kept refused original, or null)
 */
public record IntakeResult(InstanceRecord.Outcome outcome, int dimseStatus, int stowStatus, String reasonCode, String detail,
                           String sopClassUid, String sopInstanceUid, String studyUid, String blobKey) {

    public boolean stored() {
        return outcome == InstanceRecord.Outcome.PROCESSABLE || outcome == InstanceRecord.Outcome.STORED_NOT_PROCESSED;
    }

    public boolean failed() {
        return DicomStatus.isFailure(dimseStatus);
    }

    /** One line for logs and C-STORE error comments (at most 64 characters there). */
    public String summary() {
        return reasonCode == null ? "stored" : reasonCode + ": " + detail;
    }
}

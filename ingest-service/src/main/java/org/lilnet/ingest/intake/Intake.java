package org.lilnet.ingest.intake;

import org.lilnet.common.blob.BlobStore;
import org.lilnet.common.kafka.DeadLetters;
import org.lilnet.dicom.DicomFormatException;
import org.lilnet.dicom.DicomHeader;
import org.lilnet.dicom.DicomHeaderReader;
import org.lilnet.dicom.DicomStructure;
import org.lilnet.dicom.DicomUids;
import org.lilnet.dicom.PixelDataCheck;
import org.lilnet.dicom.SopClasses;
import org.lilnet.dicom.TransferSyntaxes;
import org.lilnet.events.DeadLetter;
import org.lilnet.ingest.cases.CaseRegistry;
import org.lilnet.ingest.cases.InstanceRecord;
import org.lilnet.ingest.cases.InstanceRecord.Outcome;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;

/**
 * What happens to every received instance, whatever the protocol: check it, store it, record it in its study's case,
 * and say what to answer. The rules:
 * <ul>
 *   <li>Not a whole, readable DICOM object (not Part 10, truncated, malformed, no usable UIDs), a CT image whose
 *   pixel data is missing, incomplete, in a transfer syntax we cannot decode or does not decode: <b>refused</b>
 *   (failure status). The original is kept under {@code refused/<sha256>.dcm} for operators.</li>
 *   <li>A readable object that is not a CT slice we process (MR, SEG, SR, RTSTRUCT, SC, Enhanced CT, multi-frame or
 *   colour CT): <b>stored, not processed</b>, success status.</li>
 *   <li>A CT image without the geometry the CT Image IOD requires (PixelSpacing, ImagePositionPatient,
 *   ImageOrientationPatient): <b>stored, not processed</b>, warning 0xB007.</li>
 *   <li>Otherwise a CT slice for the detector: <b>stored</b>, success.</li>
 * </ul>
 * Everything not processed gets a log line, a dead letter and a place in its study's StudyArrived.refusedInstances.
 * Storage comes before the answer: a storage failure answers 0xA700 (HTTP 503) and keeps nothing half-written.
 */
public final class Intake {

    private static final Logger LOG = LoggerFactory.getLogger(Intake.class);
    static final String STAGE = "ingest";

    /**
     * @param decodeCompressed decode compressed CT pixel data on receipt (refuses what the detector could not decode)
     * @param keepRefused      keep the bytes of refused instances under {@code refused/}
     */
    public record Policy(boolean decodeCompressed, boolean keepRefused) {
    }

    private final BlobStore blobs;
    private final CaseRegistry cases;
    private final DeadLetterSink deadLetters;
    private final IntakeMetrics metrics;
    private final Policy policy;
    private final Clock clock;
    private final String instanceId;

    public Intake(BlobStore blobs, CaseRegistry cases, DeadLetterSink deadLetters, IntakeMetrics metrics, Policy policy, Clock clock,
                  String instanceId) {
        this.blobs = blobs;
        this.cases = cases;
        this.deadLetters = deadLetters;
        this.metrics = metrics;
        this.policy = policy;
        this.clock = clock;
        this.instanceId = instanceId;
    }

    /** The verdict before storage. */
    private record Verdict(Outcome outcome, int dimseStatus, int stowStatus, String reason, String detail, DicomHeader header) {

        static Verdict processable(DicomHeader h) {
            return new Verdict(Outcome.PROCESSABLE, DicomStatus.SUCCESS, 0, null, null, h);
        }

        static Verdict notProcessed(DicomHeader h, String reason, String detail, boolean warning) {
            int status = warning ? DicomStatus.WARNING_DATA_SET_DOES_NOT_MATCH : DicomStatus.SUCCESS;
            return new Verdict(Outcome.STORED_NOT_PROCESSED, status, warning ? status : 0, reason, detail, h);
        }

        static Verdict refused(DicomHeader h, int status, String reason, String detail) {
            int stow = reason.equals("UNSUPPORTED_TRANSFER_SYNTAX") ? DicomStatus.TRANSFER_SYNTAX_NOT_SUPPORTED : status;
            return new Verdict(Outcome.REFUSED, status, stow, reason, detail, h);
        }
    }

    public IntakeResult accept(Spool.SpooledInstance instance, Source source) {
        long start = System.nanoTime();
        metrics.received(source.protocol());
        try {
            if (instance.overflowed()) {
                return finish(Verdict.refused(null, DicomStatus.OUT_OF_RESOURCES, "INSTANCE_TOO_LARGE",
                        "the instance has " + instance.size() + " bytes, more than ingest.max-instance-size"), instance, source);
            }
            return finish(judge(instance, source, policy.decodeCompressed()), instance, source);
        } catch (IOException e) {
            // reading our own spool failed: nothing was stored, the sender may try again
            LOG.error("cannot read a received instance back from the spool ({}): {}", source.peer(), e.toString());
            return failure(source, "STORAGE_FAILED", "the received bytes could not be read back: " + e.getMessage(), null);
        } finally {
            metrics.took(Duration.ofNanos(System.nanoTime() - start));
        }
    }

    private Verdict judge(Spool.SpooledInstance instance, Source source, boolean decode) throws IOException {
        DicomStructure.Result structure;
        try (InputStream in = instance.open()) {
            structure = DicomStructure.scan(in);
        }
        DicomHeader header = null;
        if (!structure.complete()) {
            header = headerOrNull(instance); // for the study's record and the dead letter, if the UIDs are there
            try {
                PixelDataCheck.checkStructure(structure, header);
            } catch (DicomFormatException e) {
                String reason = e.getMessage() != null && e.getMessage().startsWith("not a DICOM Part 10") ? "NOT_DICOM" : e.reasonCode();
                return Verdict.refused(header, DicomStatus.CANNOT_UNDERSTAND, reason, e.getMessage());
            }
        }
        try (InputStream in = instance.open()) {
            header = DicomHeaderReader.read(in);
        } catch (DicomFormatException e) {
            return Verdict.refused(null, DicomStatus.CANNOT_UNDERSTAND, e.reasonCode(), e.getMessage());
        }

        String missing = missingUids(header);
        if (missing != null) {
            return Verdict.refused(header, DicomStatus.DATA_SET_DOES_NOT_MATCH, missing.startsWith("invalid") ? "INVALID_UID" : "MISSING_UID", missing);
        }
        if (source.sopInstanceUid() != null && !source.sopInstanceUid().equals(header.sopInstanceUid())
                || source.sopClassUid() != null && !source.sopClassUid().equals(header.sopClassUid())) {
            return Verdict.refused(header, DicomStatus.DATA_SET_DOES_NOT_MATCH, "UID_MISMATCH", "the C-STORE request announced "
                    + source.sopClassUid() + " / " + source.sopInstanceUid() + " but the data set is " + header.sopClassUid() + " / "
                    + header.sopInstanceUid());
        }
        if (source.studyUid() != null && !source.studyUid().equals(header.studyInstanceUid())) {
            return Verdict.refused(header, DicomStatus.DATA_SET_DOES_NOT_MATCH, "STUDY_MISMATCH", "posted to study " + source.studyUid()
                    + " but the instance belongs to study " + header.studyInstanceUid());
        }

        if (!header.isCtImageStorage()) {
            boolean enhancedCt = DicomHeader.ENHANCED_CT_IMAGE_STORAGE.equals(header.sopClassUid());
            return Verdict.notProcessed(header, enhancedCt ? "UNSUPPORTED_SOP_CLASS" : "NOT_CT", (enhancedCt
                    ? "Enhanced CT (multi-frame) is not processed" : "not a CT image: " + SopClasses.describe(header.sopClassUid())
                    + (header.modality() == null ? "" : ", modality " + header.modality())) + "; stored, not processed", false);
        }
        String ts = header.transferSyntaxUid();
        if (!TransferSyntaxes.isDecodable(ts)) {
            return Verdict.refused(header, DicomStatus.CANNOT_UNDERSTAND, "UNSUPPORTED_TRANSFER_SYNTAX",
                    "CT pixel data in " + TransferSyntaxes.describe(ts) + " cannot be decoded here; send it uncompressed, RLE, JPEG lossless or JPEG 2000");
        }
        try {
            PixelDataCheck.checkStructure(structure, header);
        } catch (DicomFormatException e) {
            int status = e.reasonCode().equals("NO_PIXEL_DATA") ? DicomStatus.DATA_SET_DOES_NOT_MATCH : DicomStatus.CANNOT_UNDERSTAND;
            return Verdict.refused(header, status, e.reasonCode(), e.getMessage());
        }
        if (header.numberOfFrames() > 1) {
            return Verdict.notProcessed(header, "MULTI_FRAME", header.numberOfFrames() + " frames in one CT image; stored, not processed", false);
        }
        String photometric = header.photometricInterpretation();
        if (header.samplesPerPixel() != 1 || (header.bitsAllocated() != 16 && header.bitsAllocated() != 8)
                || photometric != null && !photometric.startsWith("MONOCHROME")) {
            return Verdict.notProcessed(header, "UNSUPPORTED_PIXEL_FORMAT", "SamplesPerPixel " + header.samplesPerPixel() + ", BitsAllocated "
                    + header.bitsAllocated() + ", " + photometric + ": not a grey CT slice; stored, not processed", false);
        }
        if (header.rows() <= 0 || header.columns() <= 0) {
            return Verdict.notProcessed(header, "MISSING_ATTRIBUTE", "Rows/Columns missing; stored, not processed", true);
        }
        if (header.pixelSpacing() == null) {
            return Verdict.notProcessed(header, "NO_PIXEL_SPACING", "PixelSpacing (0028,0030) missing or invalid: lesion sizes cannot be measured; "
                    + "stored, not processed", true);
        }
        if (header.geometry() == null) {
            return Verdict.notProcessed(header, "NO_GEOMETRY", "ImagePositionPatient/ImageOrientationPatient missing or invalid: the slice "
                    + "cannot be placed in its series; stored, not processed", true);
        }
        if (decode && TransferSyntaxes.isEncapsulated(ts)) {
            try (InputStream in = instance.open()) {
                PixelDataCheck.checkDecodes(in, header);
            } catch (DicomFormatException e) {
                return Verdict.refused(header, DicomStatus.CANNOT_UNDERSTAND, e.reasonCode(), e.getMessage());
            }
        }
        return Verdict.processable(header);
    }

    private IntakeResult finish(Verdict v, Spool.SpooledInstance instance, Source source) throws IOException {
        DicomHeader h = v.header();
        boolean attributable = h != null && DicomUids.isValid(h.studyInstanceUid()) && DicomUids.isValid(h.sopInstanceUid())
                && DicomUids.isValid(h.seriesInstanceUid());
        long now = clock.millis();
        String blobKey = null;
        if (v.outcome() != Outcome.REFUSED) {
            blobKey = "dicom/" + h.studyInstanceUid() + "/" + h.seriesInstanceUid() + "/" + h.sopInstanceUid() + ".dcm";
            try {
                byte[] bytes = instance.bytesIfInMemory();
                BlobStore.PutOutcome put;
                if (bytes != null) {
                    put = blobs.put(blobKey, bytes);
                } else {
                    try (InputStream in = instance.open()) {
                        put = blobs.put(blobKey, in);
                    }
                }
                if (put == BlobStore.PutOutcome.STORED) {
                    metrics.stored(instance.size());
                }
            } catch (IOException | RuntimeException e) {
                LOG.error("storing {} from {} failed: {}", blobKey, source.peer(), e.toString());
                return failure(source, "STORAGE_FAILED", "the blob store could not store the instance: " + e.getMessage(), h);
            }
        } else if (policy.keepRefused() && !instance.overflowed()) {
            blobKey = keepRefused(instance);
        }

        CaseRegistry.Recorded recorded = null;
        if (attributable) {
            try {
                recorded = cases.record(InstanceRecord.of(h, v.outcome(), v.reason(), v.detail(), blobKey, now));
            } catch (IOException | RuntimeException e) {
                LOG.error("recording {} in the case of study {} failed: {}", h.sopInstanceUid(), h.studyInstanceUid(), e.toString());
                return failure(source, "STORAGE_FAILED", "the case state could not be written: " + e.getMessage(), h);
            }
        }

        IntakeResult result = new IntakeResult(v.outcome(), v.dimseStatus(), v.stowStatus(), v.reason(), v.detail(),
                h == null ? null : h.sopClassUid(), h == null ? null : h.sopInstanceUid(), h == null ? null : h.studyInstanceUid(), blobKey);
        if (v.outcome() == Outcome.PROCESSABLE) {
            LOG.debug("stored CT slice {} of study {} from {}", h.sopInstanceUid(), h.studyInstanceUid(), source.peer());
            return result;
        }
        boolean repeat = recorded == CaseRegistry.Recorded.ALREADY_KNOWN;
        metrics.refused(source.protocol(), v.reason(), result.stored());
        String what = result.stored() ? "stored, not processed" : "refused";
        LOG.warn("{} instance {}{} from {} over {}: {} {}: {}{}", what, h == null || h.sopInstanceUid() == null ? "(no UID)" : h.sopInstanceUid(),
                h == null || h.studyInstanceUid() == null ? "" : " of study " + h.studyInstanceUid(), source.peer(), source.protocol(),
                DicomStatus.hex(v.dimseStatus()), v.reason(), v.detail(), blobKey == null ? "" : " [kept at " + blobKey + "]");
        if (!repeat) {
            deadLetter(v.reason(), v.detail() + " (from " + source.peer() + " over " + source.protocol() + ")", h, blobKey);
        }
        return result;
    }

    /**
     * The case record of an instance already in the blob store (found by the start-up reconciliation): judged as on
     * receipt, without decoding (it was checked when it came), not stored again; null when it was not a usable instance.
     */
    public InstanceRecord recordOfStored(Spool.SpooledInstance instance, String blobKey, long receivedAt) throws IOException {
        Verdict v = judge(instance, new Source("reconcile", "the blob store", null, null, null), false);
        if (v.outcome() == Outcome.REFUSED || v.header() == null) {
            return null;
        }
        return InstanceRecord.of(v.header(), v.outcome(), v.reason(), v.detail(), blobKey, receivedAt);
    }

    /** Nothing could be kept: the sender must send again. */
    private IntakeResult failure(Source source, String reason, String detail, DicomHeader h) {
        metrics.refused(source.protocol(), reason, false);
        deadLetter(reason, detail + " (from " + source.peer() + " over " + source.protocol() + "; the sender was told to retry)", h, null);
        return new IntakeResult(null, DicomStatus.OUT_OF_RESOURCES, DicomStatus.OUT_OF_RESOURCES, reason, detail,
                h == null ? null : h.sopClassUid(), h == null ? null : h.sopInstanceUid(), h == null ? null : h.studyInstanceUid(), null);
    }

    private void deadLetter(String reason, String detail, DicomHeader h, String blobKey) {
        try {
            String sop = h == null ? null : h.sopInstanceUid();
            String study = h == null ? null : h.studyInstanceUid();
            DeadLetter letter = DeadLetters.letter(STAGE, reason, detail, instanceId).setOriginalKey(sop).setCaseId(study).setBlobKey(blobKey).build();
            deadLetters.send(sop != null ? sop : study != null ? study : "unidentified", letter);
        } catch (RuntimeException e) {
            LOG.error("cannot send the dead letter for {}: {}", reason, e.toString());
        }
    }

    private String keepRefused(Spool.SpooledInstance instance) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            try (InputStream in = new DigestInputStream(instance.open(), sha)) {
                in.transferTo(java.io.OutputStream.nullOutputStream());
            }
            String key = "refused/" + HexFormat.of().formatHex(sha.digest()) + ".dcm";
            try (InputStream in = instance.open()) {
                blobs.put(key, in);
            }
            return key;
        } catch (IOException | NoSuchAlgorithmException | RuntimeException e) {
            LOG.warn("could not keep the refused instance's bytes: {}", e.toString());
            return null;
        }
    }

    private static DicomHeader headerOrNull(Spool.SpooledInstance instance) {
        try (InputStream in = instance.open()) {
            return DicomHeaderReader.read(in);
        } catch (IOException | DicomFormatException | RuntimeException e) {
            return null;
        }
    }

    private static String missingUids(DicomHeader h) {
        String[][] uids = {{"SOPClassUID", h.sopClassUid()}, {"SOPInstanceUID", h.sopInstanceUid()},
                {"StudyInstanceUID", h.studyInstanceUid()}, {"SeriesInstanceUID", h.seriesInstanceUid()}};
        StringBuilder missing = new StringBuilder();
        for (String[] u : uids) {
            if (u[1] == null) {
                missing.append(missing.length() == 0 ? "" : ", ").append(u[0]);
            }
        }
        if (missing.length() > 0) {
            return "missing " + missing + ": the instance cannot be identified";
        }
        for (String[] u : uids) {
            if (!DicomUids.isValid(u[1])) {
                return "invalid " + u[0] + " '" + u[1] + "'";
            }
        }
        return null;
    }
}

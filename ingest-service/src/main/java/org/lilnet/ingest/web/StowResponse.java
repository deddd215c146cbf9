package org.lilnet.ingest.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.lilnet.ingest.intake.DicomStatus;
import org.lilnet.ingest.intake.IntakeResult;

import java.util.ArrayList;
import java.util.List;

/**
 * The STOW-RS response (PS3.18 10.5.3) in DICOM JSON: Referenced SOP Sequence (0008,1199) for stored instances, with
 * Warning Reason (0008,1196) where stored with a warning; Failed SOP Sequence (0008,1198) with Failure Reason
 * (0008,1197) for the others. Each item also carries our reason in words as Error Comment (0000,0902), which DICOM
 * JSON readers that do not know it ignore. The HTTP status: 200 all stored, 202 stored with warnings or some failed,
 * 409 none stored, 503 storage failed (send again).
 */
final class StowResponse {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<IntakeResult> results = new ArrayList<>();

    void add(IntakeResult result) {
        results.add(result);
    }

    int size() {
        return results.size();
    }

    int httpStatus() {
        boolean anyStored = results.stream().anyMatch(r -> !r.failed());
        boolean anyFailed = results.stream().anyMatch(IntakeResult::failed);
        boolean anyWarning = results.stream().anyMatch(r -> DicomStatus.isWarning(r.dimseStatus()));
        if (results.stream().anyMatch(r -> r.dimseStatus() == DicomStatus.OUT_OF_RESOURCES)) {
            return 503;
        }
        if (!anyStored) {
            return 409;
        }
        return anyFailed || anyWarning ? 202 : 200;
    }

    String json() {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode referenced = JSON.createArrayNode();
        ArrayNode failed = JSON.createArrayNode();
        for (IntakeResult r : results) {
            ObjectNode item = JSON.createObjectNode();
            uid(item, "00081150", r.sopClassUid());
            uid(item, "00081155", r.sopInstanceUid());
            if (r.failed()) {
                us(item, "00081197", r.stowStatus() == 0 ? r.dimseStatus() : r.stowStatus());
                text(item, "00000902", r.summary());
                failed.add(item);
            } else {
                if (DicomStatus.isWarning(r.dimseStatus())) {
                    us(item, "00081196", r.stowStatus());
                }
                if (r.reasonCode() != null) {
                    text(item, "00000902", r.summary());
                }
                referenced.add(item);
            }
        }
        if (!failed.isEmpty()) {
            sequence(root, "00081198", failed);
        }
        if (!referenced.isEmpty()) {
            sequence(root, "00081199", referenced);
        }
        try {
            return JSON.writeValueAsString(root);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void uid(ObjectNode item, String tag, String value) {
        ObjectNode a = item.putObject(tag);
        a.put("vr", "UI");
        if (value != null) {
            a.putArray("Value").add(value);
        }
    }

    private static void us(ObjectNode item, String tag, int value) {
        ObjectNode a = item.putObject(tag);
        a.put("vr", "US");
        a.putArray("Value").add(value);
    }

    private static void text(ObjectNode item, String tag, String value) {
        ObjectNode a = item.putObject(tag);
        a.put("vr", "LO");
        a.putArray("Value").add(value);
    }

    private static void sequence(ObjectNode root, String tag, ArrayNode items) {
        ObjectNode a = root.putObject(tag);
        a.put("vr", "SQ");
        a.set("Value", items);
    }
}

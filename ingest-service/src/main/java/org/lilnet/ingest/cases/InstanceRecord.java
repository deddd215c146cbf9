package org.lilnet.ingest.cases;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.lilnet.dicom.DicomHeader;
import org.lilnet.dicom.SliceGeometry;

import java.time.LocalTime;
import java.util.ArrayList;
import java.util.List;

/**
 * One instance of a study as the case remembers it: where it is, what it said about its series and slice, and what
 * became of it. Written to the case journal as one JSON line.
 *
 * @param outcome    PROCESSABLE (a CT slice for the detector), STORED_NOT_PROCESSED (kept, but not for inference) or
 *                   REFUSED (not stored as an instance)
 * @param reasonCode for the last two: why (NOT_CT, NO_PIXEL_SPACING, PIXEL_DATA_TRUNCATED, ...)
 * @param blobKey    where the bytes are: the instance key, or for a refused instance the kept original (may be null)
 * @param receivedAt when it arrived, epoch milliseconds
 */
public record InstanceRecord(String studyUid, String seriesUid, String sopUid, String sopClassUid, Outcome outcome,
                             String reasonCode, String detail, String blobKey, long receivedAt,
                             Integer seriesNumber, String seriesDescription, List<String> imageType, String contrastAgent,
                             LocalTime contrastStart, LocalTime acquisitionTime, LocalTime contentTime, LocalTime seriesTime,
                             Double sliceThicknessMm, String manufacturer, Integer instanceNumber, int rows, int columns,
                             double[] pixelSpacing, double[] position, double[] orientation,
                             String patientId, String accessionNumber, String studyDate, Integer expectedStudyInstances) {

    /** What became of an instance; the order is the precedence when the same instance arrives twice. */
    public enum Outcome { REFUSED, STORED_NOT_PROCESSED, PROCESSABLE }

    public InstanceRecord {
        imageType = imageType == null ? List.of() : List.copyOf(imageType);
    }

    /** The record of an instance whose header could be read. */
    public static InstanceRecord of(DicomHeader h, Outcome outcome, String reasonCode, String detail, String blobKey, long receivedAt) {
        SliceGeometry g = h.geometry();
        return new InstanceRecord(h.studyInstanceUid(), h.seriesInstanceUid(), h.sopInstanceUid(), h.sopClassUid(), outcome,
                reasonCode, detail, blobKey, receivedAt, h.seriesNumber(), h.seriesDescription(), h.imageType(),
                h.contrastBolusAgent(), h.contrastBolusStartTime(), h.acquisitionTime(), h.contentTime(), h.seriesTime(),
                h.sliceThicknessMm(), h.manufacturer(), h.instanceNumber(), h.rows(), h.columns(), h.pixelSpacing(),
                g == null ? null : g.position(), g == null ? null : g.orientation(), h.patientId(), h.accessionNumber(),
                h.studyDate(), h.numberOfStudyRelatedInstances());
    }

    public SliceGeometry geometry() {
        return position == null || orientation == null ? null : new SliceGeometry(position, orientation);
    }

    /** When the slice was acquired: AcquisitionTime, else ContentTime, else SeriesTime. */
    public LocalTime acquiredAt() {
        return acquisitionTime != null ? acquisitionTime : contentTime != null ? contentTime : seriesTime;
    }

    // ---- journal form ------------------------------------------------------------------------------------------

    ObjectNode toJson(ObjectMapper json) {
        ObjectNode n = json.createObjectNode();
        n.put("type", "instance");
        n.put("study", studyUid);
        n.put("series", seriesUid);
        n.put("sop", sopUid);
        n.put("sopClass", sopClassUid);
        n.put("outcome", outcome.name());
        n.put("reason", reasonCode);
        n.put("detail", detail);
        n.put("blobKey", blobKey);
        n.put("receivedAt", receivedAt);
        if (seriesNumber != null) {
            n.put("seriesNumber", seriesNumber);
        }
        n.put("description", seriesDescription);
        ArrayNode types = n.putArray("imageType");
        imageType.forEach(types::add);
        n.put("contrastAgent", contrastAgent);
        n.put("contrastStart", text(contrastStart));
        n.put("acquisitionTime", text(acquisitionTime));
        n.put("contentTime", text(contentTime));
        n.put("seriesTime", text(seriesTime));
        if (sliceThicknessMm != null) {
            n.put("sliceThickness", sliceThicknessMm);
        }
        n.put("manufacturer", manufacturer);
        if (instanceNumber != null) {
            n.put("instanceNumber", instanceNumber);
        }
        n.put("rows", rows);
        n.put("columns", columns);
        doubles(n, "pixelSpacing", pixelSpacing);
        doubles(n, "position", position);
        doubles(n, "orientation", orientation);
        n.put("patientId", patientId);
        n.put("accession", accessionNumber);
        n.put("studyDate", studyDate);
        if (expectedStudyInstances != null) {
            n.put("expectedStudyInstances", expectedStudyInstances);
        }
        return n;
    }

    static InstanceRecord fromJson(JsonNode n) {
        List<String> types = new ArrayList<>();
        n.path("imageType").forEach(t -> types.add(t.asText()));
        return new InstanceRecord(str(n, "study"), str(n, "series"), str(n, "sop"), str(n, "sopClass"),
                Outcome.valueOf(n.get("outcome").asText()), str(n, "reason"), str(n, "detail"), str(n, "blobKey"),
                n.path("receivedAt").asLong(), integer(n, "seriesNumber"), str(n, "description"), types, str(n, "contrastAgent"),
                time(n, "contrastStart"), time(n, "acquisitionTime"), time(n, "contentTime"), time(n, "seriesTime"),
                n.hasNonNull("sliceThickness") ? n.get("sliceThickness").asDouble() : null, str(n, "manufacturer"),
                integer(n, "instanceNumber"), n.path("rows").asInt(), n.path("columns").asInt(), doubles(n, "pixelSpacing"),
                doubles(n, "position"), doubles(n, "orientation"), str(n, "patientId"), str(n, "accession"), str(n, "studyDate"),
                integer(n, "expectedStudyInstances"));
    }

    private static String text(LocalTime t) {
        return t == null ? null : t.toString();
    }

    private static String str(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static Integer integer(JsonNode n, String field) {
        return n.hasNonNull(field) ? n.get(field).asInt() : null;
    }

    private static LocalTime time(JsonNode n, String field) {
        String s = str(n, field);
        return s == null ? null : LocalTime.parse(s);
    }

    private static void doubles(ObjectNode n, String field, double[] values) {
        if (values != null) {
            ArrayNode a = n.putArray(field);
            for (double v : values) {
                a.add(v);
            }
        }
    }

    private static double[] doubles(JsonNode n, String field) {
        JsonNode a = n.get(field);
        if (a == null || !a.isArray()) {
            return null;
        }
        double[] out = new double[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).asDouble();
        }
        return out;
    }
}

package org.lilnet.dicom;

import java.util.Map;

/** Names of the storage SOP classes we meet most, for messages; other UIDs are shown as they are. */
public final class SopClasses {

    private SopClasses() {
    }

    private static final Map<String, String> NAMES = Map.ofEntries(
            Map.entry(DicomHeader.CT_IMAGE_STORAGE, "CT Image Storage"),
            Map.entry(DicomHeader.ENHANCED_CT_IMAGE_STORAGE, "Enhanced CT Image Storage"),
            Map.entry("1.2.840.10008.5.1.4.1.1.4", "MR Image Storage"),
            Map.entry("1.2.840.10008.5.1.4.1.1.4.1", "Enhanced MR Image Storage"),
            Map.entry("1.2.840.10008.5.1.4.1.1.7", "Secondary Capture Image Storage"),
            Map.entry("1.2.840.10008.5.1.4.1.1.66.4", "Segmentation Storage"),
            Map.entry("1.2.840.10008.5.1.4.1.1.88.11", "Basic Text SR Storage"),
            Map.entry("1.2.840.10008.5.1.4.1.1.88.22", "Enhanced SR Storage"),
            Map.entry("1.2.840.10008.5.1.4.1.1.88.33", "Comprehensive SR Storage"),
            Map.entry("1.2.840.10008.5.1.4.1.1.88.67", "X-Ray Radiation Dose SR Storage"),
            Map.entry("1.2.840.10008.5.1.4.1.1.481.3", "RT Structure Set Storage"),
            Map.entry("1.2.840.10008.5.1.4.1.1.6.1", "Ultrasound Image Storage"),
            Map.entry("1.2.840.10008.5.1.4.1.1.1", "Computed Radiography Image Storage"),
            Map.entry("1.2.840.10008.5.1.4.1.1.128", "PET Image Storage"),
            Map.entry("1.2.840.10008.1.3.10", "Media Storage Directory (DICOMDIR)"));

    /** "MR Image Storage (1.2.840.10008.5.1.4.1.1.4)", or "no SOP class". */
    public static String describe(String uid) {
        if (uid == null || uid.isEmpty()) {
            return "no SOP class";
        }
        String name = NAMES.get(uid);
        return name == null ? "SOP class " + uid : name + " (" + uid + ")";
    }
}

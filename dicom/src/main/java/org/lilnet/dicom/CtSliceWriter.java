package org.lilnet.dicom;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.CodeStringAttribute;
import com.pixelmed.dicom.DecimalStringAttribute;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.FileMetaInformation;
import com.pixelmed.dicom.OtherWordAttribute;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.TransferSyntax;
import com.pixelmed.dicom.UnsignedShortAttribute;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Writes simple CT Image Storage files (Explicit VR Little Endian, 16-bit signed, HU = stored - 1024): an elliptic
 * body of soft tissue in air, with a bright disc whose size changes along the series so that every slice differs.
 * For tests, benchmarks and tools that need real DICOM files with chosen headers; the phantom module makes
 * realistic studies.
 */
public final class CtSliceWriter {

    private String studyUid = DicomUids.random();
    private String seriesUid = DicomUids.random();
    private String sopUid = DicomUids.random();
    private String patientId = "LILNET-TEST";
    private String accessionNumber;
    private String studyDate = "20240101";
    private Integer seriesNumber = 1;
    private String seriesDescription;
    private String imageType = "ORIGINAL\\PRIMARY\\AXIAL";
    private String contrastBolusAgent;
    private String contrastBolusStartTime;
    private String acquisitionTime;
    private String seriesTime;
    private Integer instanceNumber = 1;
    private double[] position = {-175, -175, 0};
    private double[] orientation = {1, 0, 0, 0, 1, 0};
    private double pixelSpacingMm = 0.7;
    private Double sliceThicknessMm = 2.5;
    private int rows = 512;
    private int columns = 512;
    private String manufacturer = "LiLNet Test";
    private Integer numberOfStudyRelatedInstances;
    private boolean pixelSpacingPresent = true;

    public CtSliceWriter study(String uid) {
        this.studyUid = uid;
        return this;
    }

    public CtSliceWriter series(String uid) {
        this.seriesUid = uid;
        return this;
    }

    public CtSliceWriter sopInstance(String uid) {
        this.sopUid = uid;
        return this;
    }

    public CtSliceWriter patient(String id) {
        this.patientId = id;
        return this;
    }

    public CtSliceWriter accession(String number) {
        this.accessionNumber = number;
        return this;
    }

    public CtSliceWriter seriesNumber(Integer number) {
        this.seriesNumber = number;
        return this;
    }

    public CtSliceWriter description(String text) {
        this.seriesDescription = text;
        return this;
    }

    /** ImageType values joined by backslash, e.g. {@code ORIGINAL\PRIMARY\LOCALIZER}. */
    public CtSliceWriter imageType(String values) {
        this.imageType = values;
        return this;
    }

    public CtSliceWriter contrast(String agent, String startTime) {
        this.contrastBolusAgent = agent;
        this.contrastBolusStartTime = startTime;
        return this;
    }

    public CtSliceWriter acquisitionTime(String tm) {
        this.acquisitionTime = tm;
        return this;
    }

    public CtSliceWriter seriesTime(String tm) {
        this.seriesTime = tm;
        return this;
    }

    public CtSliceWriter instanceNumber(Integer number) {
        this.instanceNumber = number;
        return this;
    }

    /** ImagePositionPatient z of an axial slice. */
    public CtSliceWriter z(double z) {
        this.position = new double[] {position[0], position[1], z};
        return this;
    }

    public CtSliceWriter geometry(double[] imagePosition, double[] imageOrientation) {
        this.position = imagePosition.clone();
        this.orientation = imageOrientation.clone();
        return this;
    }

    public CtSliceWriter pixelSpacing(double mm) {
        this.pixelSpacingMm = mm;
        return this;
    }

    public CtSliceWriter withoutPixelSpacing() {
        this.pixelSpacingPresent = false;
        return this;
    }

    public CtSliceWriter sliceThickness(Double mm) {
        this.sliceThicknessMm = mm;
        return this;
    }

    public CtSliceWriter size(int rows, int columns) {
        this.rows = rows;
        this.columns = columns;
        return this;
    }

    public CtSliceWriter manufacturer(String name) {
        this.manufacturer = name;
        return this;
    }

    public CtSliceWriter numberOfStudyRelatedInstances(Integer count) {
        this.numberOfStudyRelatedInstances = count;
        return this;
    }

    public String studyUid() {
        return studyUid;
    }

    public String seriesUid() {
        return seriesUid;
    }

    public String sopUid() {
        return sopUid;
    }

    /** Writes the slice as a DICOM Part 10 file. */
    public void write(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        try (OutputStream out = Files.newOutputStream(file)) {
            write(out);
        }
    }

    public void write(OutputStream out) throws IOException {
        try {
            AttributeList list = attributes();
            list.write(out, TransferSyntax.ExplicitVRLittleEndian, true, true);
        } catch (DicomException e) {
            throw new IOException("cannot write the CT slice: " + e.getMessage(), e);
        }
    }

    /** The data set with its meta information, as written. */
    public AttributeList attributes() throws DicomException {
        AttributeList list = new AttributeList();
        put(list, TagFromName.SOPClassUID, DicomHeader.CT_IMAGE_STORAGE);
        put(list, TagFromName.SOPInstanceUID, sopUid);
        put(list, TagFromName.StudyInstanceUID, studyUid);
        put(list, TagFromName.SeriesInstanceUID, seriesUid);
        put(list, TagFromName.Modality, "CT");
        put(list, TagFromName.PatientID, patientId);
        put(list, TagFromName.PatientName, "TEST^" + patientId);
        put(list, TagFromName.AccessionNumber, accessionNumber == null ? "" : accessionNumber);
        put(list, TagFromName.PatientBirthDate, "");
        put(list, TagFromName.PatientSex, "O");
        put(list, TagFromName.ReferringPhysicianName, "");
        put(list, TagFromName.PatientPosition, "FFS");
        put(list, TagFromName.BodyPartExamined, "ABDOMEN");
        put(list, TagFromName.AcquisitionNumber, "1");
        put(list, TagFromName.StudyDate, studyDate);
        put(list, TagFromName.StudyTime, "080000");
        put(list, TagFromName.StudyID, "1");
        put(list, TagFromName.SeriesNumber, seriesNumber == null ? null : seriesNumber.toString());
        put(list, TagFromName.SeriesDescription, seriesDescription);
        put(list, TagFromName.SeriesTime, seriesTime);
        put(list, TagFromName.AcquisitionTime, acquisitionTime);
        put(list, TagFromName.ContentTime, acquisitionTime);
        put(list, TagFromName.ContrastBolusAgent, contrastBolusAgent);
        put(list, TagFromName.ContrastBolusStartTime, contrastBolusStartTime);
        put(list, TagFromName.InstanceNumber, instanceNumber == null ? null : instanceNumber.toString());
        put(list, TagFromName.Manufacturer, manufacturer);
        put(list, TagFromName.NumberOfStudyRelatedInstances, numberOfStudyRelatedInstances == null ? null : numberOfStudyRelatedInstances.toString());
        put(list, TagFromName.FrameOfReferenceUID, DicomUids.fromUuid(java.util.UUID.nameUUIDFromBytes(studyUid.getBytes(java.nio.charset.StandardCharsets.US_ASCII))));
        put(list, TagFromName.PositionReferenceIndicator, "");
        Attribute type = new CodeStringAttribute(TagFromName.ImageType);
        for (String v : imageType.split("\\\\")) {
            type.addValue(v);
        }
        list.put(type);
        putDecimals(list, TagFromName.ImagePositionPatient, position);
        putDecimals(list, TagFromName.ImageOrientationPatient, orientation);
        if (pixelSpacingPresent) {
            putDecimals(list, TagFromName.PixelSpacing, new double[] {pixelSpacingMm, pixelSpacingMm});
        }
        if (sliceThicknessMm != null) {
            putDecimals(list, TagFromName.SliceThickness, new double[] {sliceThicknessMm});
        }
        put(list, new AttributeTag(0x0018, 0x0060), "120"); // KVP
        put(list, TagFromName.PhotometricInterpretation, "MONOCHROME2");
        putShort(list, TagFromName.SamplesPerPixel, 1);
        putShort(list, TagFromName.Rows, rows);
        putShort(list, TagFromName.Columns, columns);
        putShort(list, TagFromName.BitsAllocated, 16);
        putShort(list, TagFromName.BitsStored, 16);
        putShort(list, TagFromName.HighBit, 15);
        putShort(list, TagFromName.PixelRepresentation, 1);
        putDecimals(list, TagFromName.RescaleIntercept, new double[] {-1024});
        putDecimals(list, TagFromName.RescaleSlope, new double[] {1});
        put(list, TagFromName.RescaleType, "HU");
        putDecimals(list, TagFromName.WindowCenter, new double[] {40});
        putDecimals(list, TagFromName.WindowWidth, new double[] {400});
        OtherWordAttribute pixels = new OtherWordAttribute(TagFromName.PixelData);
        pixels.setValues(pixels());
        list.put(pixels);
        list.insertSuitableSpecificCharacterSetForAllStringValues();
        FileMetaInformation.addFileMetaInformation(list, TransferSyntax.ExplicitVRLittleEndian, "LILNET");
        return list;
    }

    /** Soft tissue (40 HU) body in air (-1000 HU), a bright (200 HU) disc whose radius follows z. */
    private short[] pixels() {
        short[] values = new short[rows * columns];
        double cy = rows / 2.0;
        double cx = columns / 2.0;
        double discRadius = columns * (0.02 + 0.015 * (1 + Math.sin(position[2] / 7.0)));
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < columns; c++) {
                double dy = (r - cy) / (rows * 0.38);
                double dx = (c - cx) / (columns * 0.45);
                int hu = -1000;
                if (dx * dx + dy * dy <= 1) {
                    hu = 40;
                    double ddx = c - cx * 0.8;
                    double ddy = r - cy;
                    if (ddx * ddx + ddy * ddy <= discRadius * discRadius) {
                        hu = 200;
                    }
                }
                values[r * columns + c] = (short) (hu + 1024);
            }
        }
        return values;
    }

    private static void put(AttributeList list, AttributeTag tag, String value) throws DicomException {
        if (value == null) {
            return;
        }
        Attribute a = AttributeList.getDictionary().getValueRepresentationFromTag(tag) == null ? null : newAttribute(tag);
        if (a == null) {
            throw new DicomException("no dictionary entry for " + tag);
        }
        if (!value.isEmpty()) {
            a.addValue(value);
        }
        list.put(a);
    }

    private static Attribute newAttribute(AttributeTag tag) throws DicomException {
        return com.pixelmed.dicom.AttributeFactory.newAttribute(tag);
    }

    private static void putDecimals(AttributeList list, AttributeTag tag, double[] values) throws DicomException {
        Attribute a = new DecimalStringAttribute(tag);
        for (double v : values) {
            a.addValue(format(v));
        }
        list.put(a);
    }

    private static void putShort(AttributeList list, AttributeTag tag, int value) throws DicomException {
        Attribute a = new UnsignedShortAttribute(tag);
        a.addValue(value);
        list.put(a);
    }

    /** DS values have at most 16 characters. */
    private static String format(double v) {
        String text = v == Math.rint(v) && Math.abs(v) < 1e12 ? Long.toString((long) v) : String.format(Locale.ROOT, "%.6f", v);
        if (text.contains(".")) {
            text = text.replaceAll("0+$", "").replaceAll("\\.$", "");
        }
        return text.length() > 16 ? text.substring(0, 16) : text;
    }
}

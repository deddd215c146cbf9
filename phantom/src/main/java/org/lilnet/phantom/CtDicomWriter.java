package org.lilnet.phantom;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.FileMetaInformation;
import com.pixelmed.dicom.OtherWordAttribute;
import com.pixelmed.dicom.SOPClass;
import com.pixelmed.dicom.SpecificCharacterSet;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.TransferSyntax;
import org.lilnet.events.Phase;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * Writes CT Image Storage files (explicit VR little endian) with the headers a scanner writes: patient, study,
 * series, frame of reference, equipment, image plane, image pixel, CT image, contrast/bolus (for contrast phases,
 * when the site records it) and SOP common modules.
 */
final class CtDicomWriter {

    private static final DateTimeFormatter DA = DateTimeFormatter.ofPattern("yyyyMMdd");
    private static final DateTimeFormatter TM = DateTimeFormatter.ofPattern("HHmmss.SSS");
    private static final String SOURCE_AE = "LILNETPHANTOM";
    // not among PixelMed's TagFromName constants
    private static final AttributeTag KVP = new AttributeTag(0x0018, 0x0060);
    private static final AttributeTag DATA_COLLECTION_DIAMETER = new AttributeTag(0x0018, 0x0090);
    private static final AttributeTag X_RAY_TUBE_CURRENT = new AttributeTag(0x0018, 0x1151);

    private final StudyPlan study;
    private final SpecificCharacterSet charset;
    private final boolean unicode;

    CtDicomWriter(StudyPlan study) {
        this.study = study;
        this.unicode = !isAscii(study.patientName()) || !isAscii(study.studyDescription())
                || (study.contrastAgent() != null && !isAscii(study.contrastAgent()))
                || study.series().stream().anyMatch(s -> !isAscii(s.description()));
        this.charset = new SpecificCharacterSet(new String[] {unicode ? "ISO_IR 192" : ""});
    }

    /** Writes one axial slice. */
    void writeAxial(SeriesPlan series, int sliceIndex, float[] hu, Path file) throws IOException {
        AttributeList list = common(series);
        put(list, TagFromName.ImageType, "ORIGINAL", "PRIMARY", "AXIAL");
        String sop = sopInstanceUid(series, sliceIndex);
        put(list, TagFromName.SOPInstanceUID, sop);
        LocalTime acquired = series.acquisitionTime(sliceIndex);
        put(list, TagFromName.AcquisitionTime, TM.format(acquired));
        put(list, TagFromName.ContentTime, TM.format(acquired.plusSeconds(2)));
        put(list, TagFromName.InstanceNumber, Integer.toString(series.instanceNumber(sliceIndex)));
        double z = series.z(sliceIndex);
        put(list, TagFromName.ImagePositionPatient, ds(study.x0()), ds(study.y0()), ds(z));
        put(list, TagFromName.ImageOrientationPatient, "1", "0", "0", "0", "1", "0");
        put(list, TagFromName.SliceLocation, ds(z));
        put(list, TagFromName.SliceThickness, ds(series.thicknessMm()));
        put(list, TagFromName.SpacingBetweenSlices, ds(series.thicknessMm()));
        put(list, TagFromName.PixelSpacing, ds(study.pixelSpacing()), ds(study.pixelSpacing()));
        put(list, TagFromName.WindowCenter, "40");
        put(list, TagFromName.WindowWidth, "400");
        pixels(list, hu, SliceRenderer.SIZE, SliceRenderer.SIZE);
        write(list, sop, file);
    }

    /** Writes the localizer: a coronal projection image. */
    void writeLocalizer(SeriesPlan series, float[] hu, int rows, int columns, double rowSpacing, double columnSpacing, double topZ,
                        Path file) throws IOException {
        AttributeList list = common(series);
        put(list, TagFromName.ImageType, "ORIGINAL", "PRIMARY", "LOCALIZER");
        String sop = sopInstanceUid(series, 0);
        put(list, TagFromName.SOPInstanceUID, sop);
        put(list, TagFromName.AcquisitionTime, TM.format(series.startTime()));
        put(list, TagFromName.ContentTime, TM.format(series.startTime().plusSeconds(1)));
        put(list, TagFromName.InstanceNumber, "1");
        put(list, TagFromName.ImagePositionPatient, ds(study.x0()), "0", ds(topZ));
        put(list, TagFromName.ImageOrientationPatient, "1", "0", "0", "0", "0", "-1");
        put(list, TagFromName.SliceThickness, ds(series.thicknessMm()));
        put(list, TagFromName.PixelSpacing, ds(rowSpacing), ds(columnSpacing));
        put(list, TagFromName.WindowCenter, "50");
        put(list, TagFromName.WindowWidth, "1500");
        pixels(list, hu, rows, columns);
        write(list, sop, file);
    }

    /** Instances are numbered under their series' UID (ours: a 2.25 UUID of at most 44 characters). */
    static String sopInstanceUid(SeriesPlan series, int sliceIndex) {
        return series.seriesInstanceUid() + "." + (sliceIndex + 1);
    }

    private AttributeList common(SeriesPlan series) throws IOException {
        AttributeList list = new AttributeList();
        if (unicode) {
            put(list, TagFromName.SpecificCharacterSet, "ISO_IR 192");
        }
        LocalDate date = study.studyDate();
        put(list, TagFromName.InstanceCreationDate, DA.format(date));
        put(list, TagFromName.InstanceCreationTime, TM.format(series.startTime().plusSeconds(30)));
        put(list, TagFromName.SOPClassUID, SOPClass.CTImageStorage);
        put(list, TagFromName.StudyDate, DA.format(date));
        put(list, TagFromName.SeriesDate, DA.format(date));
        put(list, TagFromName.AcquisitionDate, DA.format(date));
        put(list, TagFromName.ContentDate, DA.format(date));
        put(list, TagFromName.StudyTime, TM.format(study.studyTime()));
        put(list, TagFromName.SeriesTime, TM.format(series.startTime()));
        put(list, TagFromName.AccessionNumber, study.accessionNumber());
        put(list, TagFromName.Modality, "CT");
        Scanner scanner = study.scanner();
        put(list, TagFromName.Manufacturer, scanner.manufacturer());
        put(list, TagFromName.InstitutionName, study.institution());
        put(list, TagFromName.ReferringPhysicianName);
        put(list, TagFromName.StationName, study.station());
        put(list, TagFromName.StudyDescription, study.studyDescription());
        if (!series.description().isEmpty()) {
            put(list, TagFromName.SeriesDescription, series.description());
        }
        put(list, TagFromName.ManufacturerModelName, scanner.model());
        put(list, TagFromName.PatientName, study.patientName());
        put(list, TagFromName.PatientID, study.patientId());
        put(list, TagFromName.PatientBirthDate, DA.format(study.birthDate()));
        put(list, TagFromName.PatientSex, study.sex());
        put(list, TagFromName.PatientAge, String.format(Locale.ROOT, "%03dY", study.age()));
        boolean contrastPhase = series.phase() == Phase.AP || series.phase() == Phase.PVP || series.phase() == Phase.DELAYED;
        if (contrastPhase && study.contrastStart() != null) {
            put(list, TagFromName.ContrastBolusAgent, study.contrastAgent() == null ? new String[0] : new String[] {study.contrastAgent()});
            put(list, TagFromName.ContrastBolusRoute, "IV");
            put(list, TagFromName.ContrastBolusVolume, ds(study.contrastVolumeMl()));
            put(list, TagFromName.ContrastBolusStartTime, TM.format(study.contrastStart()));
            put(list, TagFromName.ContrastFlowRate, ds(study.contrastRateMlPerS()));
        }
        put(list, TagFromName.BodyPartExamined, "ABDOMEN");
        put(list, KVP, Integer.toString(study.kvp()));
        put(list, DATA_COLLECTION_DIAMETER, "500");
        put(list, TagFromName.SoftwareVersions, scanner.software());
        put(list, TagFromName.ProtocolName, "Liver multiphase");
        put(list, TagFromName.ReconstructionDiameter, ds(SliceRenderer.SIZE * study.pixelSpacing()));
        put(list, X_RAY_TUBE_CURRENT, Integer.toString(study.tubeCurrent()));
        put(list, TagFromName.ConvolutionKernel, scanner.kernel());
        put(list, TagFromName.PatientPosition, "HFS");
        put(list, TagFromName.StudyInstanceUID, study.studyInstanceUid());
        put(list, TagFromName.SeriesInstanceUID, series.seriesInstanceUid());
        put(list, TagFromName.StudyID, Integer.toString(1000 + study.index()));
        put(list, TagFromName.SeriesNumber, Integer.toString(series.seriesNumber()));
        put(list, TagFromName.AcquisitionNumber, "1");
        put(list, TagFromName.FrameOfReferenceUID, study.frameOfReferenceUid());
        put(list, TagFromName.PositionReferenceIndicator);
        return list;
    }

    private void pixels(AttributeList list, float[] hu, int rows, int columns) throws IOException {
        Scanner scanner = study.scanner();
        put(list, TagFromName.SamplesPerPixel, "1");
        put(list, TagFromName.PhotometricInterpretation, "MONOCHROME2");
        put(list, TagFromName.Rows, Integer.toString(rows));
        put(list, TagFromName.Columns, Integer.toString(columns));
        put(list, TagFromName.BitsAllocated, "16");
        put(list, TagFromName.BitsStored, Integer.toString(scanner.bitsStored()));
        put(list, TagFromName.HighBit, Integer.toString(scanner.bitsStored() - 1));
        put(list, TagFromName.PixelRepresentation, scanner.signed() ? "1" : "0");
        put(list, TagFromName.RescaleIntercept, ds(scanner.intercept()));
        put(list, TagFromName.RescaleSlope, ds(scanner.slope()));
        put(list, TagFromName.RescaleType, "HU");
        byte[] bytes = new byte[hu.length * 2];
        for (int i = 0; i < hu.length; i++) {
            int v = scanner.stored(hu[i]);
            bytes[2 * i] = (byte) v;
            bytes[2 * i + 1] = (byte) (v >> 8);
        }
        OtherWordAttribute pixelData = new OtherWordAttribute(TagFromName.PixelData);
        try {
            pixelData.setValues(bytes, false);
        } catch (DicomException e) {
            throw new IOException("could not set the pixel data: " + e.getMessage(), e);
        }
        list.put(pixelData);
    }

    private static void write(AttributeList list, String sop, Path file) throws IOException {
        try {
            FileMetaInformation.addFileMetaInformation(list, TransferSyntax.ExplicitVRLittleEndian, SOURCE_AE);
            Files.createDirectories(file.getParent());
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
                list.write(out, TransferSyntax.ExplicitVRLittleEndian, true, true);
            }
        } catch (DicomException e) {
            throw new IOException("could not write " + file + " (" + sop + "): " + e.getMessage(), e);
        }
    }

    private void put(AttributeList list, AttributeTag tag, String... values) throws IOException {
        try {
            Attribute a = list.putNewAttribute(tag, charset);
            for (String v : values) {
                a.addValue(v);
            }
        } catch (DicomException e) {
            throw new IOException("could not set " + tag + ": " + e.getMessage(), e);
        }
    }

    /** A decimal string of at most 16 characters. */
    static String ds(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e9) {
            return Long.toString((long) v);
        }
        String s = String.format(Locale.ROOT, "%.6f", v).replaceAll("0+$", "").replaceAll("\\.$", "");
        return s.length() <= 16 ? s : String.format(Locale.ROOT, "%.8g", v);
    }

    private static boolean isAscii(String s) {
        return s == null || s.chars().allMatch(c -> c < 128);
    }
}

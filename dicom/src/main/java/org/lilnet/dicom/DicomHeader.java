package org.lilnet.dicom;

import java.time.LocalTime;
import java.util.List;

/**
 * What the pipeline needs to know about a DICOM instance before (and without) decoding its pixels. Text values are
 * trimmed; absent or empty values are null.
 *
 * @param sopClassUid              SOPClassUID (0008,0016)
 * @param sopInstanceUid           SOPInstanceUID (0008,0018)
 * @param studyInstanceUid         StudyInstanceUID (0020,000D)
 * @param seriesInstanceUid        SeriesInstanceUID (0020,000E)
 * @param transferSyntaxUid        TransferSyntaxUID (0002,0010) of the file
 * @param modality                 Modality (0008,0060)
 * @param patientId                PatientID (0010,0020)
 * @param accessionNumber          AccessionNumber (0008,0050)
 * @param studyDate                StudyDate (0008,0020), YYYYMMDD
 * @param seriesNumber             SeriesNumber (0020,0011)
 * @param seriesDescription        SeriesDescription (0008,103E), decoded with the SpecificCharacterSet
 * @param imageType                ImageType (0008,0008) values, upper case
 * @param contrastBolusAgent       ContrastBolusAgent (0018,0010)
 * @param contrastBolusStartTime   ContrastBolusStartTime (0018,1042)
 * @param acquisitionTime          AcquisitionTime (0008,0032)
 * @param seriesTime               SeriesTime (0008,0031)
 * @param contentTime              ContentTime (0008,0033)
 * @param sliceThicknessMm         SliceThickness (0018,0050)
 * @param manufacturer             Manufacturer (0008,0070)
 * @param instanceNumber           InstanceNumber (0020,0013)
 * @param rows                     Rows (0028,0010), 0 when absent
 * @param columns                  Columns (0028,0011), 0 when absent
 * @param bitsAllocated            BitsAllocated (0028,0100), 0 when absent
 * @param samplesPerPixel          SamplesPerPixel (0028,0002), 1 when absent
 * @param numberOfFrames           NumberOfFrames (0028,0008), 1 when absent
 * @param photometricInterpretation PhotometricInterpretation (0028,0004)
 * @param pixelSpacing             PixelSpacing (0028,0030): row spacing, column spacing (mm); null when absent or invalid
 * @param geometry                 ImagePositionPatient and ImageOrientationPatient; null when absent or invalid
 * @param numberOfStudyRelatedInstances NumberOfStudyRelatedInstances (0020,1208), when the sender announces it
 * @param hasPixelData             whether the data set contains a PixelData element (whatever its state)
 */
public record DicomHeader(String sopClassUid, String sopInstanceUid, String studyInstanceUid, String seriesInstanceUid,
                          String transferSyntaxUid, String modality, String patientId, String accessionNumber, String studyDate,
                          Integer seriesNumber, String seriesDescription, List<String> imageType,
                          String contrastBolusAgent, LocalTime contrastBolusStartTime, LocalTime acquisitionTime,
                          LocalTime seriesTime, LocalTime contentTime, Double sliceThicknessMm, String manufacturer,
                          Integer instanceNumber, int rows, int columns, int bitsAllocated, int samplesPerPixel,
                          int numberOfFrames, String photometricInterpretation, double[] pixelSpacing, SliceGeometry geometry,
                          Integer numberOfStudyRelatedInstances, boolean hasPixelData) {

    /** CT Image Storage: the single-frame CT slices the pipeline processes. */
    public static final String CT_IMAGE_STORAGE = "1.2.840.10008.5.1.4.1.1.2";
    /** Enhanced CT Image Storage (multi-frame). */
    public static final String ENHANCED_CT_IMAGE_STORAGE = "1.2.840.10008.5.1.4.1.1.2.1";

    public DicomHeader {
        imageType = imageType == null ? List.of() : List.copyOf(imageType);
        pixelSpacing = pixelSpacing == null ? null : pixelSpacing.clone();
    }

    public boolean isCtImageStorage() {
        return CT_IMAGE_STORAGE.equals(sopClassUid);
    }

    /** ImageType contains the value (e.g. LOCALIZER, DERIVED). */
    public boolean hasImageType(String value) {
        return imageType.contains(value);
    }

    @Override
    public double[] pixelSpacing() {
        return pixelSpacing == null ? null : pixelSpacing.clone();
    }

    /** A short description for logs: SOP class name or UID, modality, instance UID. */
    public String describe() {
        return SopClasses.describe(sopClassUid) + (modality == null ? "" : ", modality " + modality)
                + (sopInstanceUid == null ? "" : ", SOP instance " + sopInstanceUid);
    }
}

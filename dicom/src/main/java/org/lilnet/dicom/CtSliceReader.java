package org.lilnet.dicom;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.SOPClass;
import com.pixelmed.dicom.TagFromName;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads a CT Image Storage file into a {@link CtSlice}. PixelMed decodes the pixel data while reading
 * (uncompressed, deflate, RLE, JPEG lossless through pixelmed-imageio, JPEG 2000 through jai-imageio); anything
 * else is refused with a reason code.
 */
public final class CtSliceReader {

    private CtSliceReader() {
    }

    public static CtSlice read(Path file) throws IOException, DicomFormatException {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
            return read(in);
        }
    }

    public static CtSlice read(InputStream in) throws IOException, DicomFormatException {
        AttributeList list = new AttributeList();
        try {
            list.read(new com.pixelmed.dicom.DicomInputStream(in));
        } catch (DicomException e) {
            throw new DicomFormatException("UNREADABLE_DICOM", "not a readable DICOM file: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new DicomFormatException("UNREADABLE_DICOM", "not a readable DICOM file: " + e, e);
        }
        return fromAttributes(list);
    }

    /** Builds the slice from attributes already read (pixel data included). */
    public static CtSlice fromAttributes(AttributeList list) throws DicomFormatException {
        String sopClass = Attribute.getSingleStringValueOrEmptyString(list, TagFromName.SOPClassUID);
        if (!SOPClass.CTImageStorage.equals(sopClass) && !SOPClass.EnhancedCTImageStorage.equals(sopClass)) {
            String modality = Attribute.getSingleStringValueOrEmptyString(list, TagFromName.Modality);
            throw new DicomFormatException("NOT_CT", "not a CT image (SOP Class " + (sopClass.isEmpty() ? "missing" : sopClass)
                    + (modality.isEmpty() ? "" : ", modality " + modality) + ")");
        }
        int rows = Attribute.getSingleIntegerValueOrDefault(list, TagFromName.Rows, 0);
        int columns = Attribute.getSingleIntegerValueOrDefault(list, TagFromName.Columns, 0);
        int bitsAllocated = Attribute.getSingleIntegerValueOrDefault(list, TagFromName.BitsAllocated, 0);
        Attribute pixelData = list.getPixelData();
        if (pixelData == null) {
            throw new DicomFormatException("NO_PIXEL_DATA", "the file has no pixel data");
        }
        if (bitsAllocated != 16) {
            throw new DicomFormatException("UNSUPPORTED_PIXEL_FORMAT", "BitsAllocated " + bitsAllocated + " (CT slices are 16-bit)");
        }
        short[] stored;
        try {
            stored = pixelData.getShortValues();
        } catch (DicomException e) {
            throw new DicomFormatException("PIXEL_DATA_UNREADABLE", "pixel data could not be decoded: " + e.getMessage(), e);
        }
        if (stored == null || rows <= 0 || columns <= 0 || stored.length < rows * columns) {
            throw new DicomFormatException("PIXEL_DATA_UNREADABLE", "pixel data has " + (stored == null ? 0 : stored.length)
                    + " values for " + rows + "x" + columns + " (truncated?)");
        }
        if (stored.length > rows * columns) {
            stored = java.util.Arrays.copyOf(stored, rows * columns);
        }
        double[] spacing = Attribute.getDoubleValues(list, TagFromName.PixelSpacing);
        if (spacing == null || spacing.length < 2 || spacing[0] <= 0 || spacing[1] <= 0) {
            throw new DicomFormatException("NO_PIXEL_SPACING", "PixelSpacing is missing or invalid: lesion sizes could not be measured");
        }
        double[] position = Attribute.getDoubleValues(list, TagFromName.ImagePositionPatient);
        double[] orientation = Attribute.getDoubleValues(list, TagFromName.ImageOrientationPatient);
        SliceGeometry geometry = position != null && position.length == 3 && orientation != null && orientation.length == 6
                ? new SliceGeometry(position, orientation) : SliceGeometry.UNKNOWN;
        double slope = Attribute.getSingleDoubleValueOrDefault(list, TagFromName.RescaleSlope, 1.0);
        double intercept = Attribute.getSingleDoubleValueOrDefault(list, TagFromName.RescaleIntercept, 0.0);
        boolean signed = Attribute.getSingleIntegerValueOrDefault(list, TagFromName.PixelRepresentation, 0) == 1;
        return new CtSlice(
                Attribute.getSingleStringValueOrEmptyString(list, TagFromName.StudyInstanceUID),
                Attribute.getSingleStringValueOrEmptyString(list, TagFromName.SeriesInstanceUID),
                Attribute.getSingleStringValueOrEmptyString(list, TagFromName.SOPInstanceUID),
                rows, columns, spacing[0], spacing[1], geometry, slope == 0 ? 1.0 : slope, intercept, signed, stored);
    }
}

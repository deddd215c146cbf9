package org.lilnet.dicom;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.SOPClass;
import com.pixelmed.dicom.TagFromName;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads a CT Image Storage file into a {@link CtSlice}. PixelMed decodes the pixel data while reading
 * (uncompressed, deflate, RLE, JPEG lossless through pixelmed-imageio, JPEG 2000 through jai-imageio, 8-bit JPEG
 * baseline through the JDK); anything else is refused with a reason code ({@link TransferSyntaxes#DECODABLE}). A file
 * already in memory whose pixels are plain little-endian 16-bit values at its end skips PixelMed's value-by-value read
 * of them ({@link #read(byte[])}).
 */
public final class CtSliceReader {

    private CtSliceReader() {
    }

    public static CtSlice read(Path file) throws IOException, DicomFormatException {
        return read(Files.readAllBytes(file));
    }

    public static CtSlice read(InputStream in) throws IOException, DicomFormatException {
        AttributeList list = new AttributeList();
        DicomHeaderReader.PixelDataSeen pixelData = new DicomHeaderReader.PixelDataSeen(list, false);
        try {
            list.read(new com.pixelmed.dicom.DicomInputStream(in), pixelData);
        } catch (DicomException | IOException | RuntimeException e) {
            String ts = DicomHeaderReader.text(list, TagFromName.TransferSyntaxUID);
            if (ts != null && TransferSyntaxes.isEncapsulated(ts) && !TransferSyntaxes.isDecodable(ts)) {
                throw new DicomFormatException("UNSUPPORTED_TRANSFER_SYNTAX", "pixel data in " + TransferSyntaxes.describe(ts)
                        + " cannot be decoded here", e);
            }
            if (pixelData.seen) {
                throw new DicomFormatException("PIXEL_DATA_UNREADABLE", "pixel data could not be decoded: "
                        + DicomHeaderReader.message(e), e);
            }
            throw new DicomFormatException("UNREADABLE_DICOM", "not a readable DICOM file: " + DicomHeaderReader.message(e), e);
        }
        if (list.getPixelData() == null && pixelData.seen) {
            // PixelMed logs and drops pixel data it cannot read (truncated, corrupt, or a codec that returned nothing)
            String ts = DicomHeaderReader.text(list, TagFromName.TransferSyntaxUID);
            throw new DicomFormatException(ts != null && !TransferSyntaxes.isDecodable(ts) ? "UNSUPPORTED_TRANSFER_SYNTAX" : "PIXEL_DATA_UNREADABLE",
                    "the pixel data (" + TransferSyntaxes.describe(ts) + ") could not be read or decoded: truncated, corrupt or unsupported");
        }
        return fromAttributes(list);
    }

    /**
     * Reads a CT file held in memory. When the file ends with plain little-endian 16-bit pixel data (what scanners send
     * uncompressed and the ingest stores), PixelMed parses the header up to the pixel data and the pixels are copied
     * in bulk: a fraction of the time of PixelMed's value-by-value read, the same values. Anything else (compressed,
     * big endian, elements after the pixel data, a length that does not match Rows x Columns, a damaged file) is read
     * by PixelMed as a whole, with its checks and reasons.
     */
    public static CtSlice read(byte[] file) throws IOException, DicomFormatException {
        return read(ByteBuffer.wrap(file), PixelArrays.NONE);
    }

    /**
     * The same for a file in a buffer (from its position to its limit; the buffer is not changed), with the stored
     * values of the bulk path in an array taken from {@code arrays}: a worker reading slice after slice into one
     * buffer, and giving each slice's array back when done with it, allocates nothing large per slice.
     */
    public static CtSlice read(ByteBuffer file, PixelArrays arrays) throws IOException, DicomFormatException {
        AttributeList header = new AttributeList();
        DicomHeaderReader.PixelDataSeen pixelData = new DicomHeaderReader.PixelDataSeen(header, true);
        short[] stored = null;
        try {
            header.read(new com.pixelmed.dicom.DicomInputStream(new BufferInputStream(file)), pixelData);
            stored = pixelData.seen ? trailingPixels(header, file, arrays) : null;
        } catch (DicomException | IOException | RuntimeException e) {
            // the whole read below reports it
        }
        return stored == null ? read(new BufferInputStream(file)) : build(header, stored);
    }

    /**
     * The stored values when the file ends with a PixelData element of exactly Rows x Columns 16-bit values in
     * explicit or implicit VR little endian; null otherwise.
     */
    static short[] trailingPixels(AttributeList header, ByteBuffer file, PixelArrays arrays) {
        String ts = DicomHeaderReader.text(header, TagFromName.TransferSyntaxUID);
        boolean explicit = TransferSyntaxes.EXPLICIT_VR_LITTLE_ENDIAN.equals(ts);
        if (!explicit && !TransferSyntaxes.IMPLICIT_VR_LITTLE_ENDIAN.equals(ts)
                || Attribute.getSingleIntegerValueOrDefault(header, TagFromName.BitsAllocated, 0) != 16
                || Attribute.getSingleIntegerValueOrDefault(header, TagFromName.SamplesPerPixel, 1) != 1) {
            return null;
        }
        long values = (long) Attribute.getSingleIntegerValueOrDefault(header, TagFromName.Rows, 0)
                * Attribute.getSingleIntegerValueOrDefault(header, TagFromName.Columns, 0);
        int elementHeader = explicit ? 12 : 8;   // tag, (VR, reserved,) 32-bit length
        ByteBuffer bytes = file.slice().order(ByteOrder.LITTLE_ENDIAN);
        long start = bytes.limit() - 2 * values - elementHeader;
        if (values <= 0 || start < 0) {
            return null;
        }
        int at = (int) start;
        boolean tag = bytes.getShort(at) == (short) 0x7FE0 && bytes.getShort(at + 2) == 0x0010;
        boolean vr = !explicit || bytes.get(at + 4) == 'O' && bytes.get(at + 5) == 'W' && bytes.getShort(at + 6) == 0;
        if (!tag || !vr || bytes.getInt(at + elementHeader - 4) != 2 * values) {
            return null;
        }
        short[] stored = arrays.take((int) values);
        bytes.position(at + elementHeader);
        bytes.asShortBuffer().get(stored);
        return stored;
    }

    /** Builds the slice from attributes already read (pixel data included). */
    public static CtSlice fromAttributes(AttributeList list) throws DicomFormatException {
        return build(list, null);
    }

    /** Builds the slice from its attributes and stored values, or, when {@code stored} is null, the list's pixel data. */
    private static CtSlice build(AttributeList list, short[] stored) throws DicomFormatException {
        String sopClass = Attribute.getSingleStringValueOrEmptyString(list, TagFromName.SOPClassUID);
        if (!SOPClass.CTImageStorage.equals(sopClass) && !SOPClass.EnhancedCTImageStorage.equals(sopClass)) {
            String modality = Attribute.getSingleStringValueOrEmptyString(list, TagFromName.Modality);
            throw new DicomFormatException("NOT_CT", "not a CT image (SOP Class " + (sopClass.isEmpty() ? "missing" : sopClass)
                    + (modality.isEmpty() ? "" : ", modality " + modality) + ")");
        }
        int rows = Attribute.getSingleIntegerValueOrDefault(list, TagFromName.Rows, 0);
        int columns = Attribute.getSingleIntegerValueOrDefault(list, TagFromName.Columns, 0);
        int bitsAllocated = Attribute.getSingleIntegerValueOrDefault(list, TagFromName.BitsAllocated, 0);
        int samplesPerPixel = Attribute.getSingleIntegerValueOrDefault(list, TagFromName.SamplesPerPixel, 1);
        boolean signed = Attribute.getSingleIntegerValueOrDefault(list, TagFromName.PixelRepresentation, 0) == 1;
        Attribute pixelData = list.getPixelData();
        if (pixelData == null && stored == null) {
            throw new DicomFormatException("NO_PIXEL_DATA", "the file has no pixel data");
        }
        if ((bitsAllocated != 16 && bitsAllocated != 8) || samplesPerPixel != 1) {
            throw new DicomFormatException("UNSUPPORTED_PIXEL_FORMAT", "BitsAllocated " + bitsAllocated + ", SamplesPerPixel "
                    + samplesPerPixel + " (CT slices are 16-bit, or 8-bit after lossy JPEG, single sample)");
        }
        if (stored == null) {
            try {
                stored = bitsAllocated == 16 ? pixelData.getShortValues() : widen(pixelData.getByteValues(), signed);
            } catch (DicomException e) {
                throw new DicomFormatException("PIXEL_DATA_UNREADABLE", "pixel data could not be decoded: " + e.getMessage(), e);
            }
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
        return new CtSlice(
                Attribute.getSingleStringValueOrEmptyString(list, TagFromName.StudyInstanceUID),
                Attribute.getSingleStringValueOrEmptyString(list, TagFromName.SeriesInstanceUID),
                Attribute.getSingleStringValueOrEmptyString(list, TagFromName.SOPInstanceUID),
                rows, columns, spacing[0], spacing[1], geometry, slope == 0 ? 1.0 : slope, intercept, signed,
                stored);
    }

    /** 8-bit samples as 16-bit stored values (unsigned unless PixelRepresentation says signed). */
    private static short[] widen(byte[] bytes, boolean signed) {
        if (bytes == null) {
            return null;
        }
        short[] out = new short[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            out[i] = (short) (signed ? bytes[i] : bytes[i] & 0xFF);
        }
        return out;
    }
}

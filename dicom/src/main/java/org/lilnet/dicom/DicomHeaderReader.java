package org.lilnet.dicom;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.DicomInputStream;
import com.pixelmed.dicom.TagFromName;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Reads the header of a DICOM instance: every attribute before the pixel data, which is neither read nor decoded
 * (a CT slice's header is a few kilobytes; its pixels half a megabyte). Notes whether the pixel data element is
 * there, so that a later pixel check can tell "no pixel data" from "pixel data that cannot be read".
 */
public final class DicomHeaderReader {

    private DicomHeaderReader() {
    }

    /** Offset of "DICM" in a Part 10 file: after the 128-byte preamble. */
    private static final int PREAMBLE = 128;

    public static DicomHeader read(Path file) throws IOException, DicomFormatException {
        try (InputStream in = Files.newInputStream(file)) {
            return read(in);
        }
    }

    /** Reads a DICOM Part 10 stream (preamble, "DICM", meta information, data set). */
    public static DicomHeader read(InputStream stream) throws IOException, DicomFormatException {
        InputStream in = stream.markSupported() ? stream : new BufferedInputStream(stream, 64 * 1024);
        requirePart10(in);
        AttributeList list = new AttributeList();
        PixelDataSeen seen = new PixelDataSeen(list, true);
        try {
            list.read(new DicomInputStream(in), seen);
        } catch (DicomException | IOException | RuntimeException e) {
            throw new DicomFormatException("UNREADABLE_DICOM", "the DICOM header cannot be parsed: " + message(e), e);
        }
        return fromAttributes(list, seen.seen);
    }

    /** Refuses streams that are not DICOM Part 10 files (no "DICM" after the preamble). */
    static void requirePart10(InputStream in) throws IOException, DicomFormatException {
        in.mark(PREAMBLE + 4);
        byte[] head = in.readNBytes(PREAMBLE + 4);
        in.reset();
        if (head.length < PREAMBLE + 4 || head[PREAMBLE] != 'D' || head[PREAMBLE + 1] != 'I' || head[PREAMBLE + 2] != 'C'
                || head[PREAMBLE + 3] != 'M') {
            throw new DicomFormatException("NOT_DICOM", head.length < PREAMBLE + 4
                    ? "not a DICOM file: only " + head.length + " bytes"
                    : "not a DICOM Part 10 file: no 'DICM' marker after the 128-byte preamble");
        }
    }

    /** Builds the header from attributes already read. */
    public static DicomHeader fromAttributes(AttributeList list, boolean hasPixelData) {
        String ts = text(list, TagFromName.TransferSyntaxUID);
        return new DicomHeader(
                text(list, TagFromName.SOPClassUID),
                text(list, TagFromName.SOPInstanceUID),
                text(list, TagFromName.StudyInstanceUID),
                text(list, TagFromName.SeriesInstanceUID),
                ts,
                text(list, TagFromName.Modality),
                text(list, TagFromName.PatientID),
                text(list, TagFromName.AccessionNumber),
                text(list, TagFromName.StudyDate),
                integer(list, TagFromName.SeriesNumber),
                text(list, TagFromName.SeriesDescription),
                imageType(list),
                text(list, TagFromName.ContrastBolusAgent),
                DicomTimes.parseTime(text(list, TagFromName.ContrastBolusStartTime)),
                DicomTimes.parseTime(text(list, TagFromName.AcquisitionTime)),
                DicomTimes.parseTime(text(list, TagFromName.SeriesTime)),
                DicomTimes.parseTime(text(list, TagFromName.ContentTime)),
                decimal(list, TagFromName.SliceThickness),
                text(list, TagFromName.Manufacturer),
                integer(list, TagFromName.InstanceNumber),
                Attribute.getSingleIntegerValueOrDefault(list, TagFromName.Rows, 0),
                Attribute.getSingleIntegerValueOrDefault(list, TagFromName.Columns, 0),
                Attribute.getSingleIntegerValueOrDefault(list, TagFromName.BitsAllocated, 0),
                Attribute.getSingleIntegerValueOrDefault(list, TagFromName.SamplesPerPixel, 1),
                Math.max(1, Attribute.getSingleIntegerValueOrDefault(list, TagFromName.NumberOfFrames, 1)),
                text(list, TagFromName.PhotometricInterpretation),
                pixelSpacing(list),
                geometry(list),
                integer(list, TagFromName.NumberOfStudyRelatedInstances),
                hasPixelData);
    }

    /** Remembers having met the top-level pixel data element, and stops the read there if asked to. */
    static final class PixelDataSeen implements AttributeList.ReadTerminationStrategy {
        private final AttributeList top;
        private final boolean stop;
        boolean seen;

        PixelDataSeen(AttributeList top, boolean stop) {
            this.top = top;
            this.stop = stop;
        }

        @Override
        public boolean terminate(AttributeList list, AttributeTag tag, long byteOffset) {
            if (list == top && isPixelData(tag)) {
                seen = true;
                return stop;
            }
            return false;
        }
    }

    static boolean isPixelData(AttributeTag tag) {
        // PixelData, FloatPixelData, DoubleFloatPixelData
        return tag.getGroup() == 0x7FE0 && (tag.getElement() == 0x0010 || tag.getElement() == 0x0008 || tag.getElement() == 0x0009);
    }

    static String text(AttributeList list, AttributeTag tag) {
        String value = Attribute.getSingleStringValueOrNull(list, tag);
        if (value == null) {
            return null;
        }
        value = value.strip();
        return value.isEmpty() ? null : value;
    }

    private static Integer integer(AttributeList list, AttributeTag tag) {
        String value = text(list, tag);
        if (value == null) {
            return null;
        }
        try {
            return (int) Math.round(Double.parseDouble(value));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static Double decimal(AttributeList list, AttributeTag tag) {
        String value = text(list, tag);
        if (value == null) {
            return null;
        }
        try {
            double d = Double.parseDouble(value);
            return Double.isFinite(d) ? d : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static List<String> imageType(AttributeList list) {
        Attribute a = list.get(TagFromName.ImageType);
        if (a == null) {
            return List.of();
        }
        try {
            String[] values = a.getStringValues();
            return values == null ? List.of() : Arrays.stream(values).map(v -> v.strip().toUpperCase(Locale.ROOT)).toList();
        } catch (DicomException e) {
            return List.of();
        }
    }

    private static double[] doubles(AttributeList list, AttributeTag tag, int count) {
        Attribute a = list.get(tag);
        if (a == null || a.getVM() != count) {
            return null;
        }
        try {
            double[] values = a.getDoubleValues();
            if (values == null || values.length != count) {
                return null;
            }
            for (double v : values) {
                if (!Double.isFinite(v)) {
                    return null;
                }
            }
            return values;
        } catch (DicomException | RuntimeException e) {
            return null;
        }
    }

    private static double[] pixelSpacing(AttributeList list) {
        double[] spacing = doubles(list, TagFromName.PixelSpacing, 2);
        return spacing != null && spacing[0] > 0 && spacing[1] > 0 ? spacing : null;
    }

    private static SliceGeometry geometry(AttributeList list) {
        double[] position = doubles(list, TagFromName.ImagePositionPatient, 3);
        double[] orientation = doubles(list, TagFromName.ImageOrientationPatient, 6);
        if (position == null || orientation == null) {
            return null;
        }
        double row = Math.sqrt(orientation[0] * orientation[0] + orientation[1] * orientation[1] + orientation[2] * orientation[2]);
        double column = Math.sqrt(orientation[3] * orientation[3] + orientation[4] * orientation[4] + orientation[5] * orientation[5]);
        if (row < 0.5 || column < 0.5) {
            return null;
        }
        return new SliceGeometry(position, orientation);
    }

    static String message(Throwable e) {
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null ? "" : ": " + (m.length() > 300 ? m.substring(0, 300) + "..." : m));
    }
}

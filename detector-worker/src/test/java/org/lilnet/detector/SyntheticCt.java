package org.lilnet.detector;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.DecimalStringAttribute;
import com.pixelmed.dicom.FileMetaInformation;
import com.pixelmed.dicom.OtherWordAttribute;
import com.pixelmed.dicom.SOPClass;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.TransferSyntax;
import com.pixelmed.dicom.UniqueIdentifierAttribute;
import com.pixelmed.dicom.UnsignedShortAttribute;
import com.pixelmed.dicom.CodeStringAttribute;
import com.pixelmed.dicom.IntegerStringAttribute;

import java.io.ByteArrayOutputStream;
import java.io.IOException;

/**
 * Small synthetic CT slices written as real DICOM (PixelMed), for the workers' tests and benchmarks until the phantom
 * studies are there: air (-1000 HU) with square "lesions" of a given HU. With the test detector (see
 * make_test_models.py) a white 8x8 square on the stride-8 grid is found as exactly one lesion.
 */
public final class SyntheticCt {

    /** A square of {@code side} pixels at (row, column) with the given Hounsfield value. */
    public record Square(int row, int column, int side, int hu) {
    }

    private SyntheticCt() {
    }

    /** A 512x512 axial slice at {@code z} mm, rescale intercept -1024, with the given squares. */
    public static byte[] slice(String studyUid, String seriesUid, String sopUid, double z, Square... squares) {
        return slice(studyUid, seriesUid, sopUid, 512, 512, z, squares);
    }

    public static byte[] slice(String studyUid, String seriesUid, String sopUid, int rows, int columns, double z, Square... squares) {
        short[] stored = new short[rows * columns];
        java.util.Arrays.fill(stored, (short) (-1000 + 1024));
        for (Square s : squares) {
            for (int r = s.row(); r < Math.min(rows, s.row() + s.side()); r++) {
                for (int c = s.column(); c < Math.min(columns, s.column() + s.side()); c++) {
                    stored[r * columns + c] = (short) (s.hu() + 1024);
                }
            }
        }
        try {
            AttributeList list = new AttributeList();
            uid(list, TagFromName.SOPClassUID, SOPClass.CTImageStorage);
            uid(list, TagFromName.SOPInstanceUID, sopUid);
            uid(list, TagFromName.StudyInstanceUID, studyUid);
            uid(list, TagFromName.SeriesInstanceUID, seriesUid);
            code(list, TagFromName.Modality, "CT");
            code(list, TagFromName.PhotometricInterpretation, "MONOCHROME2");
            ushort(list, TagFromName.Rows, rows);
            ushort(list, TagFromName.Columns, columns);
            ushort(list, TagFromName.BitsAllocated, 16);
            ushort(list, TagFromName.BitsStored, 16);
            ushort(list, TagFromName.HighBit, 15);
            ushort(list, TagFromName.PixelRepresentation, 0);
            ushort(list, TagFromName.SamplesPerPixel, 1);
            decimal(list, TagFromName.PixelSpacing, "0.7", "0.7");
            decimal(list, TagFromName.ImagePositionPatient, "-179.2", "-179.2", String.valueOf(z));
            decimal(list, TagFromName.ImageOrientationPatient, "1", "0", "0", "0", "1", "0");
            decimal(list, TagFromName.RescaleSlope, "1");
            decimal(list, TagFromName.RescaleIntercept, "-1024");
            Attribute number = new IntegerStringAttribute(TagFromName.InstanceNumber);
            number.addValue((int) Math.round(z));
            list.put(number);
            Attribute pixels = new OtherWordAttribute(TagFromName.PixelData);
            pixels.setValues(stored);
            list.put(pixels);
            FileMetaInformation.addFileMetaInformation(list, TransferSyntax.ExplicitVRLittleEndian, "LILNETTEST");
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            list.write(out, TransferSyntax.ExplicitVRLittleEndian, true, true);
            return out.toByteArray();
        } catch (com.pixelmed.dicom.DicomException | IOException e) {
            throw new IllegalStateException("cannot write a synthetic slice: " + e, e);
        }
    }

    private static void uid(AttributeList list, AttributeTag tag, String value) throws com.pixelmed.dicom.DicomException {
        Attribute a = new UniqueIdentifierAttribute(tag);
        a.addValue(value);
        list.put(a);
    }

    private static void code(AttributeList list, AttributeTag tag, String value) throws com.pixelmed.dicom.DicomException {
        Attribute a = new CodeStringAttribute(tag);
        a.addValue(value);
        list.put(a);
    }

    private static void ushort(AttributeList list, AttributeTag tag, int value) throws com.pixelmed.dicom.DicomException {
        Attribute a = new UnsignedShortAttribute(tag);
        a.addValue(value);
        list.put(a);
    }

    private static void decimal(AttributeList list, AttributeTag tag, String... values) throws com.pixelmed.dicom.DicomException {
        Attribute a = new DecimalStringAttribute(tag);
        for (String v : values) {
            a.addValue(v);
        }
        list.put(a);
    }
}

package org.lilnet.dicom;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.DicomInputStream;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Checks that an instance's pixel data is all there, in two strengths.
 * <ul>
 *   <li>{@link #checkStructure}: from the {@link DicomStructure} walk, free: the file is whole, native pixel data
 *   has rows x columns x frames x samples x bytes per sample, compressed pixel data has at least one fragment per
 *   frame and a closing delimiter. This refuses truncated files.</li>
 *   <li>{@link #checkDecodes}: decodes compressed pixel data with PixelMed, as the detector will; costs what the codec
 *   costs (tens to hundreds of milliseconds for JPEG 2000). This also refuses corrupt bit streams.</li>
 * </ul>
 * PixelMed alone does not do: reading a file that breaks off, it logs and leaves the pixel data out.
 */
public final class PixelDataCheck {

    private PixelDataCheck() {
    }

    /** Refuses an incomplete file or incomplete pixel data; the header comes from the same file. */
    public static void checkStructure(DicomStructure.Result structure, DicomHeader header) throws DicomFormatException {
        if (!structure.complete()) {
            String problem = structure.problem();
            boolean truncated = problem != null && problem.contains("truncated");
            throw new DicomFormatException(truncated ? (structure.pixelDataPresent() ? "PIXEL_DATA_TRUNCATED" : "TRUNCATED") : "MALFORMED_DICOM",
                    problem);
        }
        if (!structure.pixelDataPresent()) {
            throw new DicomFormatException("NO_PIXEL_DATA", "the instance has no pixel data");
        }
        if (structure.pixelDataLength() >= 0) {
            long expected = expectedBytes(header);
            if (expected > 0 && structure.pixelDataLength() < expected) {
                throw new DicomFormatException("PIXEL_DATA_TOO_SHORT", "the pixel data has " + structure.pixelDataLength() + " bytes, "
                        + expected + " expected for " + header.rows() + "x" + header.columns() + " x " + header.numberOfFrames()
                        + " frame(s) at " + header.bitsAllocated() + " bits");
            }
        } else if (structure.fragments() < header.numberOfFrames() || structure.fragmentBytes() == 0) {
            throw new DicomFormatException("PIXEL_DATA_TRUNCATED", "the compressed pixel data has " + structure.fragments()
                    + " fragment(s) (" + structure.fragmentBytes() + " bytes) for " + header.numberOfFrames() + " frame(s)");
        }
    }

    /** Decodes the pixel data (whatever the transfer syntax) and checks that it gives as many pixels as announced. */
    public static void checkDecodes(InputStream stream, DicomHeader header) throws IOException, DicomFormatException {
        String ts = header.transferSyntaxUid();
        if (!TransferSyntaxes.isDecodable(ts)) {
            throw new DicomFormatException("UNSUPPORTED_TRANSFER_SYNTAX", "pixel data in " + TransferSyntaxes.describe(ts)
                    + " cannot be decoded here");
        }
        InputStream in = stream.markSupported() ? stream : new BufferedInputStream(stream, 64 * 1024);
        AttributeList list = new AttributeList();
        try {
            list.read(new DicomInputStream(in));
        } catch (DicomException | IOException | RuntimeException e) {
            throw new DicomFormatException("PIXEL_DATA_UNDECODABLE", "the pixel data cannot be decoded: " + DicomHeaderReader.message(e), e);
        }
        Attribute pixels = list.getPixelData();
        if (pixels == null) {
            throw new DicomFormatException("PIXEL_DATA_UNDECODABLE", "the pixel data (" + TransferSyntaxes.describe(ts)
                    + ") did not decode: corrupt or incomplete");
        }
        long expected = expectedBytes(header);
        long actual;
        try {
            actual = decodedBytes(pixels);
        } catch (DicomException e) {
            throw new DicomFormatException("PIXEL_DATA_UNDECODABLE", "the decoded pixel data cannot be read: " + e.getMessage(), e);
        }
        if (expected > 0 && actual < expected) {
            throw new DicomFormatException("PIXEL_DATA_UNDECODABLE", "the pixel data decoded to " + actual + " bytes, " + expected
                    + " expected for " + header.rows() + "x" + header.columns() + " x " + header.numberOfFrames() + " frame(s)");
        }
    }

    /** Bytes of native pixel data the header announces; 0 when the header does not say enough. */
    static long expectedBytes(DicomHeader header) {
        if (header.rows() <= 0 || header.columns() <= 0 || header.bitsAllocated() <= 0) {
            return 0;
        }
        long samples = (long) header.rows() * header.columns() * header.numberOfFrames() * Math.max(1, header.samplesPerPixel());
        return header.bitsAllocated() == 1 ? (samples + 7) / 8 : samples * ((header.bitsAllocated() + 7) / 8);
    }

    private static long decodedBytes(Attribute pixels) throws DicomException {
        byte[] vr = pixels.getVR();
        boolean words = vr != null && vr.length == 2 && vr[0] == 'O' && vr[1] == 'W';
        if (words) {
            short[] values = pixels.getShortValues();
            return values == null ? 0 : 2L * values.length;
        }
        byte[] values = pixels.getByteValues();
        return values == null ? 0 : values.length;
    }
}

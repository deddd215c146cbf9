package org.lilnet.dicom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalTime;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class DicomHeaderReaderTest {

    static final Path CORPUS = CtSliceReaderTest.CORPUS;

    @Test
    void readsWhatIngestNeedsFromARealCtSlice() throws Exception {
        DicomHeader header = DicomHeaderReader.read(CORPUS.resolve("ct-vendors/GE_OptimaCT520_GH1308.dcm"));

        assertThat(header.isCtImageStorage()).isTrue();
        assertThat(header.modality()).isEqualTo("CT");
        assertThat(header.manufacturer()).isEqualTo("GE MEDICAL SYSTEMS");
        assertThat(header.transferSyntaxUid()).isEqualTo(TransferSyntaxes.EXPLICIT_VR_LITTLE_ENDIAN);
        assertThat(header.seriesDescription()).isEqualTo("2.5mm stnd Disc SS40");
        assertThat(header.studyInstanceUid()).isNotBlank();
        assertThat(header.seriesInstanceUid()).isNotBlank();
        assertThat(header.sopInstanceUid()).isNotBlank();
        assertThat(header.rows()).isEqualTo(512);
        assertThat(header.columns()).isEqualTo(512);
        assertThat(header.bitsAllocated()).isEqualTo(16);
        assertThat(header.pixelSpacing()).hasSize(2);
        assertThat(header.geometry()).isNotNull();
        assertThat(header.imageType()).contains("ORIGINAL");
        assertThat(header.hasPixelData()).isTrue();
    }

    @Test
    void readsTheHeaderOfNonCtObjectsAndNotesMissingPixelData() throws Exception {
        DicomHeader mr = DicomHeaderReader.read(CORPUS.resolve("abdomen/SIEMENS_Avanto_MR_abdomen_overlays.dcm"));
        DicomHeader sr = DicomHeaderReader.read(CORPUS.resolve("result-objects/pydicom_test-SR.dcm"));

        assertThat(mr.isCtImageStorage()).isFalse();
        assertThat(mr.modality()).isEqualTo("MR");
        assertThat(mr.hasPixelData()).isTrue();
        assertThat(sr.modality()).isEqualTo("SR");
        assertThat(sr.hasPixelData()).isFalse();
    }

    @Test
    void headerOfACompressedFileIsReadWithoutDecodingIt() throws Exception {
        DicomHeader header = DicomHeaderReader.read(CORPUS.resolve("ct-transfer-syntax/CTImage_JPEGLSLosslessTransferSyntax_1.2.840.10008.1.2.4.80.dcm"));

        assertThat(header.transferSyntaxUid()).isEqualTo(TransferSyntaxes.JPEG_LS_LOSSLESS);
        assertThat(header.hasPixelData()).isTrue();
        assertThat(TransferSyntaxes.isDecodable(header.transferSyntaxUid())).isFalse();
    }

    @Test
    void readsContrastTimingLocalizersAndChineseDescriptions(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("slice.dcm");
        new CtSliceWriter().description("动脉期 1.25mm").imageType("ORIGINAL\\PRIMARY\\LOCALIZER")
                .contrast("Iopromide", "101500").acquisitionTime("101527.50").seriesNumber(3).instanceNumber(7)
                .numberOfStudyRelatedInstances(120).sliceThickness(1.25).z(-42.5).write(file);

        DicomHeader header = DicomHeaderReader.read(file);

        assertThat(header.seriesDescription()).isEqualTo("动脉期 1.25mm");
        assertThat(header.hasImageType("LOCALIZER")).isTrue();
        assertThat(header.contrastBolusAgent()).isEqualTo("Iopromide");
        assertThat(header.contrastBolusStartTime()).isEqualTo(LocalTime.of(10, 15));
        assertThat(header.acquisitionTime()).isEqualTo(LocalTime.parse("10:15:27.5"));
        assertThat(header.seriesNumber()).isEqualTo(3);
        assertThat(header.instanceNumber()).isEqualTo(7);
        assertThat(header.numberOfStudyRelatedInstances()).isEqualTo(120);
        assertThat(header.sliceThicknessMm()).isEqualTo(1.25);
        assertThat(header.geometry().positionAlongNormal()).isCloseTo(-42.5, within(1e-9));
    }

    @Test
    void decodesAGb18030Description() throws Exception {
        // a Chinese scanner's header: SpecificCharacterSet GB18030, description in that encoding
        com.pixelmed.dicom.AttributeList list = new CtSliceWriter().description("placeholder").attributes();
        list.remove(com.pixelmed.dicom.TagFromName.SeriesDescription);
        list.remove(com.pixelmed.dicom.TagFromName.SpecificCharacterSet);
        com.pixelmed.dicom.Attribute charset = new com.pixelmed.dicom.CodeStringAttribute(com.pixelmed.dicom.TagFromName.SpecificCharacterSet);
        charset.addValue("GB18030");
        list.put(charset);
        com.pixelmed.dicom.SpecificCharacterSet gb = new com.pixelmed.dicom.SpecificCharacterSet(new String[] {"GB18030"});
        com.pixelmed.dicom.Attribute description = new com.pixelmed.dicom.LongStringAttribute(com.pixelmed.dicom.TagFromName.SeriesDescription, gb);
        description.addValue("门脉期 5mm");
        list.put(description);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        list.write(bytes, TransferSyntaxes.EXPLICIT_VR_LITTLE_ENDIAN, true, true);
        byte[] encoded = bytes.toByteArray();
        assertThat(Bytes.indexOf(encoded, "门脉期".getBytes(java.nio.charset.Charset.forName("GB18030")))).as("written in GB18030").isPositive();

        DicomHeader header = DicomHeaderReader.read(new ByteArrayInputStream(encoded));

        assertThat(header.seriesDescription()).isEqualTo("门脉期 5mm");
    }

    @Test
    void refusesWhatIsNotADicomPart10File() {
        assertThatThrownBy(() -> DicomHeaderReader.read(new ByteArrayInputStream("hello, this is not DICOM".repeat(20).getBytes())))
                .isInstanceOfSatisfying(DicomFormatException.class, e -> assertThat(e.reasonCode()).isEqualTo("NOT_DICOM"));
        assertThatThrownBy(() -> DicomHeaderReader.read(new ByteArrayInputStream(new byte[10])))
                .isInstanceOfSatisfying(DicomFormatException.class, e -> assertThat(e.reasonCode()).isEqualTo("NOT_DICOM"));
    }

    @Test
    void everyCorpusFileIsEitherReadOrRefusedWithAReason() throws Exception {
        List<Path> files;
        try (var walk = Files.walk(CORPUS)) {
            files = walk.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().matches(".*\\.(md|tsv)")).sorted().toList();
        }
        assertThat(files).hasSizeGreaterThanOrEqualTo(74);
        int read = 0;
        for (Path f : files) {
            try {
                DicomHeader h = DicomHeaderReader.read(f);
                assertThat(h).as(f.toString()).isNotNull();
                read++;
            } catch (DicomFormatException e) {
                assertThat(e.reasonCode()).as(f.toString()).matches("[A-Z_]+");
                assertThat(e.getMessage()).as(f.toString()).isNotBlank();
            }
        }
        assertThat(read).isGreaterThan(60);
    }
}

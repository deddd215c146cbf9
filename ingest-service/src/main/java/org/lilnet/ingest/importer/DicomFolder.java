package org.lilnet.ingest.importer;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.SequenceAttribute;
import com.pixelmed.dicom.TagFromName;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The DICOM files of a folder tree for a backfill: the files every DICOMDIR in it references (media from a CD or a
 * PACS export), and every other DICOM Part 10 file found by walking it. DICOMDIRs themselves are not sent.
 */
public final class DicomFolder {

    /**
     * What was found.
     *
     * @param files     the DICOM files to send, each once, in a stable order
     * @param skipped   files that are not DICOM Part 10 (no "DICM" marker), with nothing sent for them
     * @param missing   files a DICOMDIR references that do not exist
     * @param dicomdirs the DICOMDIRs read
     */
    public record Contents(List<Path> files, List<Path> skipped, List<String> missing, List<Path> dicomdirs) {
    }

    private DicomFolder() {
    }

    public static Contents scan(Path root) throws IOException {
        Set<Path> files = new LinkedHashSet<>();
        List<Path> skipped = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        List<Path> dicomdirs = new ArrayList<>();
        List<Path> walked;
        try (Stream<Path> walk = Files.walk(root)) {
            walked = walk.filter(Files::isRegularFile).sorted().toList();
        }
        for (Path f : walked) {
            if (f.getFileName().toString().equalsIgnoreCase("DICOMDIR")) {
                dicomdirs.add(f);
                for (Path referenced : referencedFiles(f, missing)) {
                    files.add(referenced.toAbsolutePath().normalize());
                }
            }
        }
        for (Path f : walked) {
            if (f.getFileName().toString().equalsIgnoreCase("DICOMDIR")) {
                continue;
            }
            Path normal = f.toAbsolutePath().normalize();
            if (files.contains(normal)) {
                continue;
            }
            if (isPart10(f)) {
                files.add(normal);
            } else {
                skipped.add(f);
            }
        }
        return new Contents(List.copyOf(files), skipped, missing, dicomdirs);
    }

    /** The files a DICOMDIR references (ReferencedFileID of its directory records), relative to its folder. */
    static List<Path> referencedFiles(Path dicomdir, List<String> missing) {
        List<Path> out = new ArrayList<>();
        AttributeList list = new AttributeList();
        try {
            list.read(dicomdir.toString());
        } catch (IOException | DicomException | RuntimeException e) {
            missing.add(dicomdir + ": unreadable DICOMDIR (" + e.getMessage() + "), its folder is walked instead");
            return out;
        }
        Attribute records = list.get(TagFromName.DirectoryRecordSequence);
        if (!(records instanceof SequenceAttribute sequence)) {
            return out;
        }
        Path base = dicomdir.toAbsolutePath().getParent();
        for (int i = 0; i < sequence.getNumberOfItems(); i++) {
            AttributeList record = sequence.getItem(i).getAttributeList();
            Attribute id = record.get(TagFromName.ReferencedFileID);
            if (id == null) {
                continue;
            }
            try {
                String[] parts = id.getStringValues();
                if (parts == null || parts.length == 0) {
                    continue;
                }
                Path file = resolve(base, parts);
                if (file == null) {
                    missing.add(dicomdir + " references " + String.join("\\", parts) + ", which does not exist");
                } else {
                    out.add(file);
                }
            } catch (DicomException e) {
                missing.add(dicomdir + ": unreadable ReferencedFileID in record " + (i + 1));
            }
        }
        return out;
    }

    /** The file of a ReferencedFileID; media written on other systems may differ in case. */
    private static Path resolve(Path base, String[] parts) throws DicomException {
        Path current = base;
        for (String part : parts) {
            String name = part.strip();
            if (name.isEmpty() || name.equals("..") || name.equals(".")) {
                return null;
            }
            Path exact = current.resolve(name);
            if (Files.exists(exact)) {
                current = exact;
                continue;
            }
            Path match = null;
            try (Stream<Path> children = Files.list(current)) {
                match = children.filter(c -> c.getFileName().toString().toUpperCase(Locale.ROOT).equals(name.toUpperCase(Locale.ROOT)))
                        .findFirst().orElse(null);
            } catch (IOException e) {
                return null;
            }
            if (match == null) {
                return null;
            }
            current = match;
        }
        return Files.isRegularFile(current) ? current : null;
    }

    static boolean isPart10(Path f) {
        try (InputStream in = Files.newInputStream(f)) {
            byte[] head = in.readNBytes(132);
            return head.length == 132 && head[128] == 'D' && head[129] == 'I' && head[130] == 'C' && head[131] == 'M';
        } catch (IOException e) {
            return false;
        }
    }
}

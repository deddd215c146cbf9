package org.lilnet.ingest.cases;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The case state on disk: one append-only file of JSON lines per study ({@code <StudyInstanceUID>.jsonl}), one line
 * per instance that changed the case and one per case opening. Replaying a file rebuilds the case exactly, so a
 * restarted ingest-service picks up the cases in progress. Lines are handed to the operating system before the
 * instance is acknowledged (a crash of the process loses nothing); with {@code fsync} they are also forced to disk
 * (a crash of the machine loses nothing either, at the cost of one more disk flush per instance). Without it,
 * the start-up reconciliation with the blob store finds instances whose line was lost.
 */
public final class CaseJournal {

    private static final Logger LOG = LoggerFactory.getLogger(CaseJournal.class);
    private static final String SUFFIX = ".jsonl";

    private final Path directory;
    private final boolean fsync;
    private final ObjectMapper json = new ObjectMapper();

    /** A journal line, replayed. */
    public sealed interface Entry permits InstanceEntry, OpenedEntry, ExpiredEntry {
    }

    public record InstanceEntry(InstanceRecord record) implements Entry {
    }

    /** The case was opened at this revision, covering the first {@code version} changes. */
    public record OpenedEntry(int revision, long version, long openedAt) implements Entry {
    }

    /** The case's instances were forgotten after the retention period; its revision is kept. */
    public record ExpiredEntry(int revision, long firstInstanceAt, long lastInstanceAt) implements Entry {
    }

    public CaseJournal(Path directory, boolean fsync) throws IOException {
        this.directory = directory.toAbsolutePath().normalize();
        this.fsync = fsync;
        Files.createDirectories(this.directory);
    }

    public Path directory() {
        return directory;
    }

    public void appendInstance(InstanceRecord record) throws IOException {
        append(record.studyUid(), record.toJson(json));
    }

    public void appendOpened(String studyUid, int revision, long version, long openedAt) throws IOException {
        ObjectNode n = json.createObjectNode();
        n.put("type", "opened");
        n.put("revision", revision);
        n.put("version", version);
        n.put("openedAt", openedAt);
        append(studyUid, n);
    }

    /** Replaces a study's file by one line that keeps only its revision (atomically: rename over the old file). */
    public void expire(String studyUid, int revision, long firstInstanceAt, long lastInstanceAt) throws IOException {
        ObjectNode n = json.createObjectNode();
        n.put("type", "expired");
        n.put("revision", revision);
        n.put("firstInstanceAt", firstInstanceAt);
        n.put("lastInstanceAt", lastInstanceAt);
        Path temp = directory.resolve(studyUid + SUFFIX + ".tmp");
        Files.write(temp, (json.writeValueAsString(n) + "\n").getBytes(StandardCharsets.UTF_8));
        Files.move(temp, file(studyUid), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private void append(String studyUid, ObjectNode line) throws IOException {
        byte[] bytes = (json.writeValueAsString(line) + "\n").getBytes(StandardCharsets.UTF_8);
        try (FileChannel channel = FileChannel.open(file(studyUid), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND)) {
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            if (fsync) {
                channel.force(false);
            }
        }
    }

    /** Studies with a journal. */
    public List<String> studies() throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(SUFFIX))
                    .map(n -> n.substring(0, n.length() - SUFFIX.length())).sorted().toList();
        }
    }

    /**
     * The lines of a study's journal. A last line cut short by a crash is skipped (it was never acknowledged);
     * an unreadable line elsewhere is logged and skipped.
     */
    public List<Entry> replay(String studyUid) throws IOException {
        List<Entry> entries = new ArrayList<>();
        Path file = file(studyUid);
        if (!Files.exists(file)) {
            return entries;
        }
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int number = 0;
            while ((line = reader.readLine()) != null) {
                number++;
                if (line.isBlank()) {
                    continue;
                }
                try {
                    JsonNode n = json.readTree(line);
                    switch (n.path("type").asText()) {
                        case "instance" -> entries.add(new InstanceEntry(InstanceRecord.fromJson(n)));
                        case "opened" -> entries.add(new OpenedEntry(n.path("revision").asInt(), n.path("version").asLong(),
                                n.path("openedAt").asLong()));
                        case "expired" -> entries.add(new ExpiredEntry(n.path("revision").asInt(), n.path("firstInstanceAt").asLong(),
                                n.path("lastInstanceAt").asLong()));
                        default -> LOG.warn("case journal {} line {}: unknown entry type, skipped", file, number);
                    }
                } catch (IOException | RuntimeException e) {
                    LOG.warn("case journal {} line {} is unreadable ({}), skipped", file, number, e.getMessage());
                }
            }
        }
        return entries;
    }

    public void delete(String studyUid) throws IOException {
        Files.deleteIfExists(file(studyUid));
    }

    private Path file(String studyUid) {
        if (!studyUid.matches("[0-9.]+")) {
            throw new IllegalArgumentException("not a StudyInstanceUID: " + studyUid);
        }
        return directory.resolve(studyUid + SUFFIX);
    }
}

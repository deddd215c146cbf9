package org.lilnet.schemas;

import org.apache.avro.Schema;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Reads a directory of event schemas laid out as {@code src/main/avro}: shared named types in
 * {@code common/}, one top-level event per {@code *.avsc} file. Each event is parsed with the shared
 * types known, so that it can be compared as a whole.
 */
public final class EventSchemas {

    private EventSchemas() {
    }

    /** Event name (file name without {@code .avsc}) to its fully resolved schema, in file-name order. */
    public static Map<String, Schema> load(Path directory) {
        List<Path> common = avscFiles(directory.resolve("common"));
        Map<String, Schema> events = new LinkedHashMap<>();
        for (Path event : avscFiles(directory)) {
            Schema.Parser parser = new Schema.Parser();
            try {
                for (Path shared : common) {
                    parser.parse(shared.toFile());
                }
                String name = event.getFileName().toString().replaceFirst("\\.avsc$", "");
                events.put(name, parser.parse(event.toFile()));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + event, e);
            }
        }
        return events;
    }

    private static List<Path> avscFiles(Path directory) {
        if (!Files.isDirectory(directory)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(directory)) {
            return new ArrayList<>(files.filter(p -> p.toString().endsWith(".avsc")).sorted().toList());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + directory, e);
        }
    }
}

package org.lilnet.bench.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code docs/PERFORMANCE.md} as the benchmark writes it: what machine, which command, when, the targets and whether
 * this run met them (a miss says by how much, why and what next), then one section per benchmark with its tables.
 */
public final class PerformanceReport {

    /** A section: a heading, then paragraphs and tables in the order they were added. */
    public static final class Section {
        private final String heading;
        private final List<Object> blocks = new ArrayList<>();

        private Section(String heading) {
            this.heading = heading;
        }

        public Section paragraph(String text) {
            blocks.add(text.strip());
            return this;
        }

        public Section table(Table table) {
            blocks.add(table);
            return this;
        }

        public String heading() {
            return heading;
        }

        void render(StringBuilder out) {
            out.append("## ").append(heading).append("\n\n");
            for (Object b : blocks) {
                out.append(b instanceof Table t ? t.toMarkdown() : b + "\n").append('\n');
            }
        }
    }

    private final String title;
    private final Map<String, String> machine = new LinkedHashMap<>();
    private final List<String> preamble = new ArrayList<>();
    private final List<Target> targets = new ArrayList<>();
    private final List<Section> sections = new ArrayList<>();

    public PerformanceReport(String title) {
        this.title = title;
    }

    /** One line of the machine description (CPU, cores, memory, load during the run, ...). */
    public PerformanceReport machine(String what, String value) {
        machine.put(what, value);
        return this;
    }

    /** A paragraph before the targets (command, date, mode, how to read the figures). */
    public PerformanceReport preamble(String text) {
        preamble.add(text.strip());
        return this;
    }

    public PerformanceReport target(Target target) {
        targets.add(target);
        return this;
    }

    public List<Target> targets() {
        return List.copyOf(targets);
    }

    public Section section(String heading) {
        for (Section s : sections) {
            if (s.heading.equals(heading)) {
                return s;
            }
        }
        Section s = new Section(heading);
        sections.add(s);
        return s;
    }

    public String toMarkdown() {
        StringBuilder out = new StringBuilder("# ").append(title).append("\n\n");
        out.append("Written by the benchmark itself: edit the code, not this file.\n\n");
        preamble.forEach(p -> out.append(p).append("\n\n"));
        if (!machine.isEmpty()) {
            Table m = Table.of("machine", "");
            machine.forEach(m::row);
            out.append(m.toMarkdown()).append('\n');
        }
        if (!targets.isEmpty()) {
            out.append("## Targets\n\n");
            Table t = Table.of("target", "measured", "status");
            targets.forEach(x -> t.row(x.what() + " " + x.condition(), x.measuredText(), x.status()));
            out.append(t.toMarkdown()).append('\n');
            List<Target> missed = targets.stream().filter(x -> x.measured() && !x.met()).toList();
            if (!missed.isEmpty()) {
                out.append("Missed targets:\n\n");
                for (Target x : missed) {
                    out.append("- **").append(x.what()).append("**: ").append(x.measuredText()).append(" against ").append(x.condition())
                            .append(", ").append(x.status().substring("MISSED ".length())).append('.');
                    if (!x.why().isBlank()) {
                        out.append(" Why: ").append(x.why().strip());
                    }
                    if (!x.next().isBlank()) {
                        out.append(" Next step: ").append(x.next().strip());
                    }
                    out.append('\n');
                }
                out.append('\n');
            }
        }
        sections.stream().filter(s -> !s.blocks.isEmpty()).forEach(s -> s.render(out));
        return out.toString().replaceAll("\n{3,}", "\n\n");
    }

    public void write(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, toMarkdown(), StandardCharsets.UTF_8);
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }
}

package org.lilnet.deploy;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A Dockerfile as its stages and instructions (continuation lines joined, comments dropped). */
public record Dockerfile(String file, List<Stage> stages) {

    /** One instruction: keyword upper-cased, the rest as written. */
    public record Instruction(String keyword, String arguments) {
    }

    /** A build stage: its base image and its instructions. */
    public record Stage(String from, List<Instruction> instructions) {

        public List<String> all(String keyword) {
            return instructions.stream().filter(i -> i.keyword().equals(keyword)).map(Instruction::arguments).toList();
        }

        public String last(String keyword) {
            List<String> found = all(keyword);
            return found.isEmpty() ? null : found.get(found.size() - 1);
        }

        /** ENV values of this stage (both {@code K=V ...} and {@code K V} forms). */
        public Map<String, String> env() {
            Map<String, String> env = new LinkedHashMap<>();
            Pattern pair = Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)=(\"(?:[^\"\\\\]|\\\\.)*\"|\\S+)");
            for (String args : all("ENV")) {
                Matcher m = pair.matcher(args);
                boolean any = false;
                while (m.find()) {
                    any = true;
                    String v = m.group(2);
                    env.put(m.group(1), v.startsWith("\"") ? v.substring(1, v.length() - 1) : v);
                }
                if (!any) {
                    String[] kv = args.trim().split("\\s+", 2);
                    env.put(kv[0], kv.length > 1 ? kv[1] : "");
                }
            }
            return env;
        }
    }

    public static Dockerfile parse(String file, String text) {
        List<String> lines = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String raw : text.split("\n", -1)) {
            String line = raw.strip();
            if (line.startsWith("#") && current.isEmpty()) {
                continue;
            }
            if (line.startsWith("#")) {
                continue; // a comment inside a continued instruction
            }
            if (line.endsWith("\\")) {
                current.append(line, 0, line.length() - 1).append(' ');
                continue;
            }
            current.append(line);
            if (!current.toString().isBlank()) {
                lines.add(current.toString().strip());
            }
            current.setLength(0);
        }
        List<Stage> stages = new ArrayList<>();
        List<Instruction> instructions = null;
        for (String line : lines) {
            String[] parts = line.split("\\s+", 2);
            String keyword = parts[0].toUpperCase(Locale.ROOT);
            String args = parts.length > 1 ? parts[1] : "";
            if (keyword.equals("FROM")) {
                instructions = new ArrayList<>();
                String image = args.split("\\s+")[0];
                stages.add(new Stage(image, instructions));
            } else if (instructions != null) {
                instructions.add(new Instruction(keyword, args));
            }
        }
        return new Dockerfile(file, stages);
    }

    public Stage runtime() {
        return stages.get(stages.size() - 1);
    }

    /** The exec-form ENTRYPOINT of the runtime stage as one string (the sh -c command included). */
    public String entrypoint() {
        String e = runtime().last("ENTRYPOINT");
        if (e == null) {
            return "";
        }
        try {
            JsonNode array = DeployTree.JSON.readTree(e);
            List<String> parts = new ArrayList<>();
            array.forEach(n -> parts.add(n.asText()));
            return String.join(" ", parts);
        } catch (Exception notJson) {
            return e;
        }
    }

    /** The Maven module the build stage packages ({@code -pl MODULE}). */
    public String builtModule() {
        for (Stage stage : stages) {
            for (String run : stage.all("RUN")) {
                Matcher m = Pattern.compile("\\bmvn\\b.*?-pl\\s+(\\S+)").matcher(run);
                if (m.find()) {
                    return m.group(1);
                }
            }
        }
        return null;
    }

    public boolean buildUsesProfile(String profile) {
        return stages.stream().flatMap(s -> s.all("RUN").stream())
                .anyMatch(run -> run.matches(".*\\bmvn\\b.*") && Pattern.compile("-P\\s*" + Pattern.quote(profile) + "\\b").matcher(run).find());
    }
}

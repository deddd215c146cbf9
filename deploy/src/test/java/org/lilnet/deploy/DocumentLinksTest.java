package org.lilnet.deploy;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every link between the repository's documents points somewhere: a relative link in a Markdown file names a file that
 * exists, and a {@code #anchor} names a heading of its target; the runbook links of the alert rules and the links in
 * the dashboard's descriptions too. An operator who follows an alert's runbook link must land on the section.
 */
class DocumentLinksTest {

    private static final Path ROOT = DeployTree.repositoryRoot();
    private static final Pattern MARKDOWN_LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)");
    /** A document link inside YAML or JSON (alert annotations, dashboard descriptions), relative to the repository. */
    private static final Pattern REPO_LINK = Pattern.compile("((?:docs|deploy|models)/[\\w./-]+\\.md)(#[\\w-]+)?");
    private static final Pattern HEADING = Pattern.compile("^#{1,6}\\s+(.+?)\\s*#*\\s*$");
    private static final Pattern HTML_ID = Pattern.compile("<a\\s+(?:id|name)=\"([^\"]+)\"");

    private final Map<Path, Set<String>> anchorsByFile = new HashMap<>();

    @Test
    void everyDocumentLinkReachesAFileAndASection() throws IOException {
        List<String> broken = new ArrayList<>();
        int links = 0;
        Map<String, List<Path>> documents = documents();
        for (Path doc : documents.getOrDefault(".md", List.of())) {
            String text = withoutCode(Files.readString(doc), true);
            Matcher m = MARKDOWN_LINK.matcher(text);
            while (m.find()) {
                String target = m.group(1);
                if (target.matches("^[a-z]+:.*")) {
                    continue;                                           // http:, https:, mailto:
                }
                links++;
                check(doc, doc.getParent(), target, broken);
            }
        }
        for (String ext : List.of(".yml", ".yaml", ".json")) {
            for (Path file : documents.getOrDefault(ext, List.of())) {
                Matcher m = REPO_LINK.matcher(Files.readString(file));
                while (m.find()) {
                    links++;
                    check(file, ROOT, m.group(1) + (m.group(2) == null ? "" : m.group(2)), broken);
                }
            }
        }
        assertThat(broken).as("links to a file or section that does not exist").isEmpty();
        assertThat(links).as("links looked at").isGreaterThan(50);
    }

    @Test
    void anchorsFollowGitHubsRules() {
        assertThat(anchor("Containers (Compose)")).isEqualTo("containers-compose");
        assertThat(anchor("From one machine to a cluster with N GPU workers")).isEqualTo("from-one-machine-to-a-cluster-with-n-gpu-workers");
        assertThat(anchor("`lilnet eval` and the manifest")).isEqualTo("lilnet-eval-and-the-manifest");
        assertThat(anchor("Dead-letter runbook")).isEqualTo("dead-letter-runbook");
        assertThat(anchor("ingest-service")).isEqualTo("ingest-service");
    }

    private void check(Path from, Path base, String target, List<String> broken) {
        int hash = target.indexOf('#');
        String path = hash < 0 ? target : target.substring(0, hash);
        String fragment = hash < 0 ? null : target.substring(hash + 1);
        Path file = path.isEmpty() ? from : base.resolve(path).normalize();
        String where = ROOT.relativize(from) + ": " + target;
        if (!Files.exists(file)) {
            broken.add(where + " (no such file)");
        } else if (fragment != null && file.toString().endsWith(".md") && !anchors(file).contains(fragment)) {
            broken.add(where + " (no such section in " + ROOT.relativize(file) + ")");
        }
    }

    private Set<String> anchors(Path markdown) {
        return anchorsByFile.computeIfAbsent(markdown, f -> {
            try {
                Set<String> anchors = new LinkedHashSet<>();
                Map<String, Integer> seen = new HashMap<>();
                for (String line : withoutCode(Files.readString(f), false).split("\n")) {
                    Matcher h = HEADING.matcher(line);
                    if (h.matches()) {
                        String a = anchor(h.group(1));
                        int n = seen.merge(a, 1, Integer::sum);
                        anchors.add(n == 1 ? a : a + "-" + (n - 1));    // GitHub numbers repeated headings
                    }
                    Matcher id = HTML_ID.matcher(line);
                    while (id.find()) {
                        anchors.add(id.group(1));
                    }
                }
                return anchors;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /** GitHub's heading anchor: lower case, punctuation dropped (hyphens and underscores kept), spaces to hyphens. */
    static String anchor(String heading) {
        String text = heading.replaceAll("\\[([^]]*)]\\([^)]*\\)", "$1");   // a link in a heading keeps its text
        return text.toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-');
    }

    /**
     * The text with fenced code blocks blanked (a '#' line in a shell example is no heading, a link there no link), and
     * inline code too when {@code inline}.
     */
    private static String withoutCode(String text, boolean inline) {
        StringBuilder out = new StringBuilder();
        boolean code = false;
        for (String line : text.split("\n", -1)) {
            if (line.stripLeading().startsWith("```")) {
                code = !code;
                out.append('\n');
                continue;
            }
            out.append(code ? "" : inline ? line.replaceAll("`[^`]*`", "``") : line).append('\n');
        }
        return out.toString();
    }

    /** The repository's documents by extension, found in one walk that does not enter build output or dependencies. */
    private static Map<String, List<Path>> documents() throws IOException {
        Set<String> extensions = Set.of(".md", ".yml", ".yaml", ".json");
        Set<String> skipped = Set.of(".git", "target", "node_modules", "node");
        Map<String, List<Path>> found = new HashMap<>();
        Files.walkFileTree(ROOT, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                return !dir.equals(ROOT) && skipped.contains(dir.getFileName().toString()) ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                String name = file.getFileName().toString();
                int dot = name.lastIndexOf('.');
                if (attrs.isRegularFile() && dot >= 0 && extensions.contains(name.substring(dot))) {
                    found.computeIfAbsent(name.substring(dot), e -> new ArrayList<>()).add(file);
                }
                return FileVisitResult.CONTINUE;
            }
        });
        found.values().forEach(list -> list.sort(null));
        return found;
    }
}

package org.lilnet.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The series the services export on {@code /metrics}: per service, every sample name with its label names. Recorded
 * from the real services by the integration test {@code org.lilnet.it.deploy.ExportedMetricsIT} into
 * {@value #FILE} (which fails when the services export a {@code lilnet_*} series the file lacks, or no longer export
 * one the manifests use); the manifest checks read it.
 */
public final class ExportedMetrics {

    public static final String FILE = "deploy/metrics/exported-metrics.tsv";

    /** Series Prometheus itself writes for every scrape target (not the services'). */
    public static final Set<String> PROMETHEUS_SERIES = Set.of("up", "scrape_duration_seconds", "scrape_samples_scraped",
            "scrape_samples_post_metric_relabeling", "scrape_series_added");
    /** Labels Prometheus adds at scrape time (job always; the rest by the Prometheus Operator's pod monitors). */
    public static final Set<String> TARGET_LABELS = Set.of("job", "instance", "namespace", "pod", "container", "endpoint");

    /** service -> sample name -> label names. */
    private final Map<String, Map<String, Set<String>>> byService;

    public ExportedMetrics(Map<String, Map<String, Set<String>>> byService) {
        this.byService = byService;
    }

    public static ExportedMetrics read(Path repositoryRoot) {
        Path file = repositoryRoot.resolve(FILE);
        Map<String, Map<String, Set<String>>> out = new TreeMap<>();
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] cols = line.split("\t", -1);
                Set<String> labels = new TreeSet<>(cols.length > 2 && !cols[2].isEmpty() ? Arrays.asList(cols[2].split(",")) : List.of());
                out.computeIfAbsent(cols[0], s -> new TreeMap<>()).put(cols[1], labels);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + FILE + " (recorded by ExportedMetricsIT)", e);
        }
        return new ExportedMetrics(out);
    }

    /** Sample names and their label names in a Prometheus text exposition (what /metrics answers). */
    public static Map<String, Set<String>> parseExposition(String text) {
        Map<String, Set<String>> out = new TreeMap<>();
        Pattern sample = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)})?\\s+\\S+.*$");
        Pattern label = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"(?:[^\"\\\\]|\\\\.)*\"");
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            Matcher m = sample.matcher(line);
            if (!m.matches()) {
                continue;
            }
            Set<String> labels = out.computeIfAbsent(m.group(1), s -> new TreeSet<>());
            if (m.group(3) != null) {
                Matcher l = label.matcher(m.group(3));
                while (l.find()) {
                    labels.add(l.group(1));
                }
            }
        }
        return out;
    }

    /** The file's text for these series. */
    public static String format(Map<String, Map<String, Set<String>>> byService) {
        List<String> lines = new ArrayList<>();
        lines.add("# The series the services export on /metrics: service, sample name, label names.");
        lines.add("# Recorded from the real services by it-tests org.lilnet.it.deploy.ExportedMetricsIT; do not edit by hand:");
        lines.add("#   mvn -B -pl it-tests -am verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=ExportedMetricsIT -Dlilnet.metrics.record=true");
        byService.forEach((service, samples) -> samples.forEach((name, labels) ->
                lines.add(service + "\t" + name + "\t" + String.join(",", labels))));
        return String.join("\n", lines) + "\n";
    }

    public Map<String, Map<String, Set<String>>> byService() {
        return byService;
    }

    public boolean exports(String service, String sample) {
        return byService.getOrDefault(service, Map.of()).containsKey(sample);
    }

    /** Label names of a sample over every service that exports it; null when no service does. */
    public Set<String> labels(String sample) {
        Set<String> labels = null;
        for (Map<String, Set<String>> samples : byService.values()) {
            Set<String> l = samples.get(sample);
            if (l != null) {
                labels = labels == null ? new TreeSet<>(l) : labels;
                labels.addAll(l);
            }
        }
        return labels;
    }
}

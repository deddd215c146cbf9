package org.lilnet.deploy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Just enough of PromQL to know which series an expression reads: metric selectors with their label matchers, and the
 * labels it groups or matches by ({@code by}, {@code without}, {@code on}, {@code ignoring}, {@code group_left/right}).
 * Functions, aggregation operators, keywords, numbers, durations, strings and Grafana variables are skipped.
 */
public final class PromQl {

    /** A metric selector: {@code name{label="value", ...}}; matchers holds every label matcher's label and value. */
    public record Selector(String metric, Map<String, String> matchers) {
    }

    /** What an expression reads. */
    public record Query(List<Selector> selectors, Set<String> groupingLabels) {
    }

    private static final Set<String> AGGREGATIONS = Set.of("sum", "min", "max", "avg", "group", "stddev", "stdvar", "count",
            "count_values", "bottomk", "topk", "quantile", "limitk", "limit_ratio");
    private static final Set<String> KEYWORDS = Set.of("by", "without", "on", "ignoring", "group_left", "group_right", "and",
            "or", "unless", "offset", "bool", "inf", "nan", "atan2", "start", "end");
    private static final Set<String> GROUPING = Set.of("by", "without", "on", "ignoring", "group_left", "group_right");

    private final String text;
    private int pos;

    private PromQl(String text) {
        this.text = text;
    }

    public static Query parse(String expression) {
        return new PromQl(expression).query();
    }

    private Query query() {
        List<Selector> selectors = new ArrayList<>();
        Set<String> grouping = new LinkedHashSet<>();
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (Character.isWhitespace(c)) {
                pos++;
            } else if (c == '"' || c == '\'' || c == '`') {
                string();
            } else if (c == '[') {
                skipPast(']');
            } else if (c == '$') {
                pos++;
                if (pos < text.length() && text.charAt(pos) == '{') {
                    skipPast('}');
                } else {
                    identifier();
                }
            } else if (c == '{') {
                // a selector without a metric name
                Map<String, String> matchers = matchers();
                String name = matchers.remove("__name__");
                if (name != null) {
                    selectors.add(new Selector(name, matchers));
                }
            } else if (Character.isDigit(c) || (c == '.' && pos + 1 < text.length() && Character.isDigit(text.charAt(pos + 1)))) {
                while (pos < text.length() && (Character.isLetterOrDigit(text.charAt(pos)) || text.charAt(pos) == '.')) {
                    pos++;
                }
            } else if (Character.isLetter(c) || c == '_' || c == ':') {
                String word = identifier();
                int after = skipSpaces(pos);
                boolean call = after < text.length() && text.charAt(after) == '(';
                if (GROUPING.contains(word)) {
                    if (call) {
                        pos = after + 1;
                        int close = text.indexOf(')', pos);
                        for (String label : text.substring(pos, close).split(",")) {
                            if (!label.isBlank()) {
                                grouping.add(label.strip());
                            }
                        }
                        pos = close + 1;
                    }
                } else if (call || KEYWORDS.contains(word) || AGGREGATIONS.contains(word)) {
                    // a function or an operator: its arguments are read on
                    continue;
                } else {
                    Map<String, String> matchers = new LinkedHashMap<>();
                    if (after < text.length() && text.charAt(after) == '{') {
                        pos = after;
                        matchers = matchers();
                    }
                    selectors.add(new Selector(word, matchers));
                }
            } else {
                pos++;
            }
        }
        return new Query(selectors, grouping);
    }

    private Map<String, String> matchers() {
        Map<String, String> out = new LinkedHashMap<>();
        pos++; // {
        while (pos < text.length()) {
            pos = skipSpaces(pos);
            char c = text.charAt(pos);
            if (c == '}') {
                pos++;
                return out;
            }
            if (c == ',') {
                pos++;
                continue;
            }
            String label = identifier();
            pos = skipSpaces(pos);
            while (pos < text.length() && "=!~".indexOf(text.charAt(pos)) >= 0) {
                pos++;
            }
            pos = skipSpaces(pos);
            out.put(label, string());
        }
        return out;
    }

    private String identifier() {
        int start = pos;
        while (pos < text.length() && (Character.isLetterOrDigit(text.charAt(pos)) || text.charAt(pos) == '_' || text.charAt(pos) == ':')) {
            pos++;
        }
        if (start == pos) {
            pos++;
        }
        return text.substring(start, pos);
    }

    private String string() {
        char quote = text.charAt(pos);
        StringBuilder out = new StringBuilder();
        pos++;
        while (pos < text.length() && text.charAt(pos) != quote) {
            if (text.charAt(pos) == '\\' && pos + 1 < text.length()) {
                pos++;
            }
            out.append(text.charAt(pos++));
        }
        pos++;
        return out.toString();
    }

    private void skipPast(char close) {
        int end = text.indexOf(close, pos);
        pos = end < 0 ? text.length() : end + 1;
    }

    private int skipSpaces(int from) {
        int p = from;
        while (p < text.length() && Character.isWhitespace(text.charAt(p))) {
            p++;
        }
        return p;
    }
}

package org.lilnet.ingest.web;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** A media type with its parameters: {@code multipart/related; type="application/dicom"; boundary=xyz}. */
record ContentType(String mediaType, Map<String, String> parameters) {

    static ContentType parse(String header) {
        if (header == null || header.isBlank()) {
            return new ContentType("", Map.of());
        }
        String[] parts = splitOutsideQuotes(header);
        Map<String, String> params = new LinkedHashMap<>();
        for (int i = 1; i < parts.length; i++) {
            String p = parts[i].trim();
            int eq = p.indexOf('=');
            if (eq <= 0) {
                continue;
            }
            String value = p.substring(eq + 1).trim();
            if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
                value = value.substring(1, value.length() - 1).replace("\\\"", "\"");
            }
            params.put(p.substring(0, eq).trim().toLowerCase(Locale.ROOT), value);
        }
        return new ContentType(parts[0].trim().toLowerCase(Locale.ROOT), params);
    }

    String parameter(String name) {
        return parameters.get(name);
    }

    private static String[] splitOutsideQuotes(String s) {
        java.util.List<String> out = new java.util.ArrayList<>();
        StringBuilder current = new StringBuilder();
        boolean quoted = false;
        for (char c : s.toCharArray()) {
            if (c == '"') {
                quoted = !quoted;
            }
            if (c == ';' && !quoted) {
                out.add(current.toString());
                current.setLength(0);
            } else {
                current.append(c);
            }
        }
        out.add(current.toString());
        return out.toArray(String[]::new);
    }
}

package org.lilnet.common.ops;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/** Named health checks of a service; {@code /health} is UP when every check is. */
public final class Health {

    /** The state of one check. */
    public record Check(boolean up, String detail) {
        public static Check up(String detail) {
            return new Check(true, detail);
        }

        public static Check down(String detail) {
            return new Check(false, detail);
        }
    }

    /** All checks at one moment. */
    public record Report(boolean up, Map<String, Check> checks) {
        public String json() {
            StringBuilder out = new StringBuilder("{\"status\":\"").append(up ? "UP" : "DOWN").append("\",\"checks\":{");
            boolean first = true;
            for (var e : checks.entrySet()) {
                out.append(first ? "" : ",").append('"').append(escape(e.getKey())).append("\":{\"status\":\"")
                        .append(e.getValue().up() ? "UP" : "DOWN").append("\",\"detail\":\"")
                        .append(escape(e.getValue().detail())).append("\"}");
                first = false;
            }
            return out.append("}}").toString();
        }
    }

    private final Map<String, Supplier<Check>> checks = new ConcurrentHashMap<>();

    public void register(String name, Supplier<Check> check) {
        checks.put(name, check);
    }

    public Report report() {
        Map<String, Check> results = new LinkedHashMap<>();
        boolean up = true;
        for (var e : new java.util.TreeMap<>(checks).entrySet()) {
            Check c;
            try {
                c = e.getValue().get();
            } catch (RuntimeException ex) {
                c = Check.down("check failed: " + ex);
            }
            results.put(e.getKey(), c);
            up &= c.up();
        }
        return new Report(up, results);
    }

    static String escape(String s) {
        StringBuilder out = new StringBuilder();
        for (char ch : (s == null ? "" : s).toCharArray()) {
            switch (ch) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (ch < 0x20) {
                        out.append(String.format("\\u%04x", (int) ch));
                    } else {
                        out.append(ch);
                    }
                }
            }
        }
        return out.toString();
    }
}

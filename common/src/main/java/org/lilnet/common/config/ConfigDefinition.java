package org.lilnet.common.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * The configuration keys of one service. Values come from a properties file and are overridden by environment
 * variables ({@link ConfigKey#environmentVariable()}). Keys under {@value #KAFKA_PREFIX} and
 * {@value #REGISTRY_CLIENT_PREFIX} pass through to the Kafka clients and the registry serdes (TLS, SASL,
 * authentication) without being declared. Anything else that is unknown, missing or invalid fails {@link #load}
 * with a message naming every offending key.
 */
public final class ConfigDefinition {

    public static final String ENV_PREFIX = "LILNET_";
    public static final String KAFKA_PREFIX = "kafka.";
    public static final String REGISTRY_CLIENT_PREFIX = "apicurio.registry.";

    private final String service;
    private final Map<String, ConfigKey<?>> keys = new LinkedHashMap<>();

    public ConfigDefinition(String service, Collection<? extends ConfigKey<?>> keys) {
        this.service = service;
        for (ConfigKey<?> key : keys) {
            if (this.keys.putIfAbsent(key.name(), key) != null) {
                throw new IllegalArgumentException(service + " declares '" + key.name() + "' twice");
            }
        }
    }

    /** Convenience: the shared keys first, then the service's own. */
    public static ConfigDefinition of(String service, List<? extends ConfigKey<?>> shared, List<? extends ConfigKey<?>> own) {
        List<ConfigKey<?>> all = new ArrayList<>(shared);
        all.addAll(own);
        return new ConfigDefinition(service, all);
    }

    public String service() {
        return service;
    }

    public Collection<ConfigKey<?>> keys() {
        return keys.values();
    }

    public boolean declares(String name) {
        return keys.containsKey(name);
    }

    /** Loads a properties file (may be null: environment and defaults only) with the process environment. */
    public Config load(Path propertiesFile) {
        Map<String, String> fromFile = new LinkedHashMap<>();
        if (propertiesFile != null) {
            Properties properties = new Properties();
            try (Reader reader = Files.newBufferedReader(propertiesFile, StandardCharsets.UTF_8)) {
                properties.load(reader);
            } catch (IOException e) {
                throw new ConfigException(service, List.of("cannot read configuration file " + propertiesFile + ": " + e.getMessage()));
            }
            properties.stringPropertyNames().forEach(n -> fromFile.put(n, properties.getProperty(n)));
        }
        return load(fromFile, System.getenv());
    }

    /** Builds the configuration from explicit file values and environment; the testable core of {@link #load(Path)}. */
    public Config load(Map<String, String> fileValues, Map<String, String> environment) {
        List<String> errors = new ArrayList<>();
        Map<String, String> raw = new HashMap<>();
        Map<String, String> passThrough = new TreeMap<>();

        fileValues.forEach((name, value) -> {
            if (keys.containsKey(name)) {
                raw.put(name, value);
            } else if (name.startsWith(KAFKA_PREFIX) || name.startsWith(REGISTRY_CLIENT_PREFIX)) {
                passThrough.put(name, value);
            } else {
                errors.add("unknown key '" + name + "'" + suggestion(name));
            }
        });
        for (ConfigKey<?> key : keys.values()) {
            String fromEnv = environment.get(key.environmentVariable());
            if (fromEnv != null) {
                raw.put(key.name(), fromEnv);
            }
        }
        environment.forEach((variable, value) -> {
            String pass = passThroughName(variable);
            if (pass != null && !keys.containsKey(pass)) {
                passThrough.put(pass, value);
            }
        });

        Map<String, Object> values = new HashMap<>();
        for (ConfigKey<?> key : keys.values()) {
            String text = raw.get(key.name());
            try {
                if (text != null && !text.isBlank()) {
                    values.put(key.name(), key.parse(text));
                } else if (key.defaultValue().isPresent()) {
                    values.put(key.name(), key.defaultValue().get());
                } else if (key.required()) {
                    errors.add("missing required key '" + key.name() + "' (" + key.description()
                            + ") - set it in the configuration file or as " + key.environmentVariable());
                }
            } catch (IllegalArgumentException e) {
                errors.add(e.getMessage());
            }
        }
        if (!errors.isEmpty()) {
            throw new ConfigException(service, errors);
        }
        keys.values().stream().filter(k -> k.name().startsWith(KAFKA_PREFIX) && values.containsKey(k.name()))
                .forEach(k -> passThrough.put(k.name(), formatUnchecked(k, values.get(k.name()))));
        return new Config(this, values, passThrough);
    }

    /** {@code LILNET_KAFKA_SECURITY_PROTOCOL} to {@code kafka.security.protocol}; null for other variables. */
    private static String passThroughName(String variable) {
        String kafka = ENV_PREFIX + "KAFKA_";
        String registry = ENV_PREFIX + "APICURIO_REGISTRY_";
        if (variable.startsWith(kafka)) {
            return KAFKA_PREFIX + variable.substring(kafka.length()).toLowerCase(Locale.ROOT).replace('_', '.');
        }
        if (variable.startsWith(registry)) {
            return REGISTRY_CLIENT_PREFIX + variable.substring(registry.length()).toLowerCase(Locale.ROOT).replace('_', '.');
        }
        return null;
    }

    @SuppressWarnings("unchecked")
    static <T> String formatUnchecked(ConfigKey<T> key, Object value) {
        return key.format((T) value);
    }

    private String suggestion(String unknown) {
        return keys.keySet().stream()
                .min(Comparator.comparingInt(k -> distance(k, unknown)))
                .filter(best -> distance(best, unknown) <= Math.max(2, unknown.length() / 4))
                .map(best -> " (did you mean '" + best + "'?)")
                .orElse("");
    }

    private static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                current[j] = Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }

    /** Markdown table of the keys, for the operator docs (generated, never written by hand). */
    public String markdown() {
        StringBuilder out = new StringBuilder();
        out.append("| key | type | default | environment variable | description |\n");
        out.append("|---|---|---|---|---|\n");
        for (ConfigKey<?> key : keys.values()) {
            String def = key.required() ? "**required**" : key.formattedDefault().isEmpty() ? "(none)" : "`" + key.formattedDefault() + "`";
            String rule = key.validRule().isEmpty() ? "" : " Valid: " + key.validRule() + ".";
            out.append("| `").append(key.name()).append("` | ").append(key.typeName()).append(" | ").append(def)
                    .append(" | `").append(key.environmentVariable()).append("` | ")
                    .append(key.description().replace("|", "\\|")).append(rule).append(" |\n");
        }
        return out.toString();
    }
}

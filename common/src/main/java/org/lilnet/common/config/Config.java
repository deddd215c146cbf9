package org.lilnet.common.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** A service's validated configuration. */
public final class Config {

    private final ConfigDefinition definition;
    private final Map<String, Object> values;
    private final Map<String, String> passThrough;

    Config(ConfigDefinition definition, Map<String, Object> values, Map<String, String> passThrough) {
        this.definition = definition;
        this.values = Map.copyOf(values);
        this.passThrough = Collections.unmodifiableMap(new LinkedHashMap<>(passThrough));
    }

    /** Value of a key with a value (required, or with a default). */
    public <T> T get(ConfigKey<T> key) {
        return find(key).orElseThrow(() -> new IllegalStateException(
                "'" + key.name() + "' has no value; declare it with a default or read it with find()"));
    }

    /** Value of an optional key, if set. */
    @SuppressWarnings("unchecked")
    public <T> Optional<T> find(ConfigKey<T> key) {
        if (!definition.declares(key.name())) {
            throw new IllegalArgumentException(definition.service() + " does not declare '" + key.name() + "'");
        }
        return Optional.ofNullable((T) values.get(key.name()));
    }

    /** Client settings for Kafka: every {@code kafka.*} value with the prefix removed. */
    public Map<String, String> kafkaClientSettings() {
        return stripped(ConfigDefinition.KAFKA_PREFIX, false);
    }

    /** Settings for the registry serdes: every {@code apicurio.registry.*} value, prefix kept (it is theirs). */
    public Map<String, String> registryClientSettings() {
        return stripped(ConfigDefinition.REGISTRY_CLIENT_PREFIX, true);
    }

    private Map<String, String> stripped(String prefix, boolean keepPrefix) {
        Map<String, String> out = new LinkedHashMap<>();
        passThrough.forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                out.put(keepPrefix ? k : k.substring(prefix.length()), v);
            }
        });
        return out;
    }

    public String service() {
        return definition.service();
    }

    /** The effective configuration, one key per line, secrets masked: logged at start-up. */
    public String describe() {
        StringBuilder out = new StringBuilder(definition.service()).append(" configuration:");
        for (ConfigKey<?> key : definition.keys()) {
            Object value = values.get(key.name());
            String text = value == null ? "(unset)" : key.isSecret() ? "****" : ConfigDefinition.formatUnchecked(key, value);
            out.append("\n  ").append(key.name()).append(" = ").append(text);
        }
        passThrough.forEach((k, v) -> {
            if (!definition.declares(k)) {
                boolean secret = k.contains("password") || k.contains("secret") || k.contains("jaas");
                out.append("\n  ").append(k).append(" = ").append(secret ? "****" : v);
            }
        });
        return out.toString();
    }
}

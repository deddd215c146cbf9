package org.lilnet.common.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One configuration key, declared once: name, type, default, validation and a description sentence. Services
 * list their keys in a {@link ConfigDefinition}; start-up validates them and the operator docs are generated
 * from the same objects. Instances are immutable; the {@code with...} methods return modified copies.
 *
 * @param <T> the value type
 */
public final class ConfigKey<T> {

    private final String name;
    private final String typeName;
    private final String description;
    private final Function<String, T> parser;
    private final T defaultValue;
    private final boolean required;
    private final boolean secret;
    private final Predicate<T> validator;
    private final String validRule;
    private final Function<T, String> formatter;

    private ConfigKey(String name, String typeName, String description, Function<String, T> parser, T defaultValue,
                      boolean required, boolean secret, Predicate<T> validator, String validRule, Function<T, String> formatter) {
        if (!name.matches("[a-z][a-z0-9]*([.-][a-z0-9]+)*")) {
            throw new IllegalArgumentException("configuration key names are lower-case words joined by '.' or '-': " + name);
        }
        this.name = name;
        this.typeName = typeName;
        this.description = Objects.requireNonNull(description, "description");
        this.parser = parser;
        this.defaultValue = defaultValue;
        this.required = required;
        this.secret = secret;
        this.validator = validator;
        this.validRule = validRule;
        this.formatter = formatter;
    }

    private static <T> ConfigKey<T> of(String name, String typeName, String description, Function<String, T> parser) {
        return new ConfigKey<>(name, typeName, description, parser, null, true, false, v -> true, "", String::valueOf);
    }

    // ---- factories, one per type -------------------------------------------------------------------------------

    public static ConfigKey<String> string(String name, String description) {
        return of(name, "string", description, s -> s);
    }

    public static ConfigKey<Integer> integer(String name, String description) {
        return of(name, "int", description, s -> Integer.valueOf(s.trim()));
    }

    public static ConfigKey<Long> longInteger(String name, String description) {
        return of(name, "long", description, s -> Long.valueOf(s.trim()));
    }

    public static ConfigKey<Double> decimal(String name, String description) {
        return of(name, "double", description, s -> Double.valueOf(s.trim()));
    }

    public static ConfigKey<Boolean> bool(String name, String description) {
        return of(name, "boolean", description, ConfigKey::parseBoolean);
    }

    /** Durations as {@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h} or ISO-8601 ({@code PT30S}). */
    public static ConfigKey<Duration> duration(String name, String description) {
        return new ConfigKey<>(name, "duration", description, ConfigKey::parseDuration, null, true, false, v -> true, "",
                ConfigKey::formatDuration);
    }

    public static ConfigKey<Path> path(String name, String description) {
        return of(name, "path", description, s -> Path.of(s.trim()));
    }

    /** Comma-separated list; blanks are dropped. */
    public static ConfigKey<List<String>> list(String name, String description) {
        return new ConfigKey<>(name, "list", description,
                s -> Arrays.stream(s.split(",")).map(String::trim).filter(x -> !x.isEmpty()).toList(),
                null, true, false, v -> true, "", v -> String.join(",", v));
    }

    /** One of the enum's constants, case-insensitive. */
    public static <E extends Enum<E>> ConfigKey<E> choice(String name, Class<E> type, String description) {
        String choices = String.join(", ", Arrays.stream(type.getEnumConstants()).map(e -> e.name().toLowerCase(Locale.ROOT)).toList());
        return new ConfigKey<>(name, "enum", description, s -> Enum.valueOf(type, s.trim().toUpperCase(Locale.ROOT).replace('-', '_')),
                null, true, false, v -> true, "one of " + choices, e -> e.name().toLowerCase(Locale.ROOT));
    }

    // ---- modifiers ---------------------------------------------------------------------------------------------

    /** The key is optional and takes this value when not set. */
    public ConfigKey<T> withDefault(T value) {
        return new ConfigKey<>(name, typeName, description, parser, Objects.requireNonNull(value), false, secret, validator,
                validRule, formatter);
    }

    /** The key is optional and has no value when not set ({@link Config#find}). */
    public ConfigKey<T> optional() {
        return new ConfigKey<>(name, typeName, description, parser, null, false, secret, validator, validRule, formatter);
    }

    /** The value is masked when the configuration is printed. */
    public ConfigKey<T> secret() {
        return new ConfigKey<>(name, typeName, description, parser, defaultValue, required, true, validator, validRule, formatter);
    }

    /** Adds a validation rule; {@code rule} says in words what is valid ("between 1 and 65535"). */
    public ConfigKey<T> validatedBy(Predicate<T> check, String rule) {
        String combined = validRule.isEmpty() ? rule : validRule + "; " + rule;
        return new ConfigKey<>(name, typeName, description, parser, defaultValue, required, secret, validator.and(check),
                combined, formatter);
    }

    // ---- common validations ------------------------------------------------------------------------------------

    public static Predicate<Integer> between(int min, int max) {
        return v -> v >= min && v <= max;
    }

    public static Predicate<Double> betweenDecimal(double min, double max) {
        return v -> v >= min && v <= max;
    }

    public static Predicate<Duration> positive() {
        return d -> !d.isNegative() && !d.isZero();
    }

    public static Predicate<String> nonBlank() {
        return s -> !s.isBlank();
    }

    /** {@code host:port[,host:port...]}. */
    public static Predicate<String> hostPortList() {
        return s -> Arrays.stream(s.split(",")).map(String::trim).allMatch(hp -> hp.matches("[^\\s:,]+:\\d{1,5}"));
    }

    /** An absolute http or https URL. */
    public static Predicate<String> httpUrl() {
        return s -> s.matches("https?://[^\\s/]+(/\\S*)?");
    }

    // ---- use ---------------------------------------------------------------------------------------------------

    /** Parses and validates a raw value as the service does; the message of the exception names the key. */
    public T parse(String raw) {
        T value;
        try {
            value = parser.apply(raw);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("'" + name + "' = '" + raw + "' is not a valid " + typeName
                    + (validRule.isEmpty() ? "" : " (" + validRule + ")"));
        }
        check(value, raw);
        return value;
    }

    void check(T value, String raw) {
        if (!validator.test(value)) {
            throw new IllegalArgumentException("'" + name + "' = '" + raw + "' is invalid: must be " + validRule);
        }
    }

    public String name() {
        return name;
    }

    public String typeName() {
        return typeName;
    }

    public String description() {
        return description;
    }

    public boolean required() {
        return required;
    }

    public boolean isSecret() {
        return secret;
    }

    public Optional<T> defaultValue() {
        return Optional.ofNullable(defaultValue);
    }

    public String validRule() {
        return validRule;
    }

    /** The value written the way the configuration file takes it. */
    public String format(T value) {
        return formatter.apply(value);
    }

    /** The default as text, or empty. */
    public String formattedDefault() {
        return defaultValue == null ? "" : formatter.apply(defaultValue);
    }

    /** Environment variable that overrides this key: {@code LILNET_} + the name upper-cased, '.' and '-' as '_'. */
    public String environmentVariable() {
        return ConfigDefinition.ENV_PREFIX + name.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    @Override
    public String toString() {
        return name;
    }

    // ---- parsing helpers ---------------------------------------------------------------------------------------

    private static Boolean parseBoolean(String s) {
        return switch (s.trim().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on", "1" -> true;
            case "false", "no", "off", "0" -> false;
            default -> throw new IllegalArgumentException(s);
        };
    }

    private static final Pattern SIMPLE_DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");

    static Duration parseDuration(String s) {
        String text = s.trim();
        Matcher m = SIMPLE_DURATION.matcher(text.toLowerCase(Locale.ROOT));
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            return switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
        }
        return Duration.parse(text);
    }

    static String formatDuration(Duration d) {
        long ms = d.toMillis();
        if (ms % 3_600_000 == 0 && ms != 0) {
            return ms / 3_600_000 + "h";
        }
        if (ms % 60_000 == 0 && ms != 0) {
            return ms / 60_000 + "m";
        }
        if (ms % 1000 == 0) {
            return ms / 1000 + "s";
        }
        return ms + "ms";
    }
}

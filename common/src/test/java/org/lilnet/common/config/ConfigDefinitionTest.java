package org.lilnet.common.config;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConfigDefinitionTest {

    private static final ConfigKey<Integer> PORT = ConfigKey.integer("dicom.port", "DICOM port.")
            .withDefault(11112).validatedBy(ConfigKey.between(1, 65535), "between 1 and 65535");
    private static final ConfigKey<String> AE_TITLE = ConfigKey.string("dicom.ae-title", "AE title.")
            .validatedBy(s -> s.length() <= 16, "at most 16 characters");
    private static final ConfigKey<Duration> QUIET = ConfigKey.duration("study.quiet-period", "Quiet period.")
            .withDefault(Duration.ofSeconds(30)).validatedBy(ConfigKey.positive(), "positive");
    private static final ConfigKey<List<String>> CALLERS = ConfigKey.list("dicom.accepted-callers", "Callers.").optional();

    private final ConfigDefinition definition = ConfigDefinition.of("ingest-service", CommonKeys.kafkaService(8080),
            List.of(PORT, AE_TITLE, QUIET, CALLERS));

    private static final Map<String, String> MINIMAL = Map.of(
            "kafka.bootstrap.servers", "localhost:9092",
            "registry.url", "http://localhost:8080",
            "dicom.ae-title", "LILNET");

    @Test
    void defaultsApplyWhenKeysAreAbsent() {
        Config config = definition.load(MINIMAL, Map.of());

        assertThat(config.get(PORT)).isEqualTo(11112);
        assertThat(config.get(QUIET)).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.find(CALLERS)).isEmpty();
        assertThat(config.get(CommonKeys.STARTUP_WAIT)).isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void aMissingRequiredKeyIsNamedWithItsEnvironmentVariable() {
        Map<String, String> values = new java.util.HashMap<>(MINIMAL);
        values.remove("dicom.ae-title");

        assertThatThrownBy(() -> definition.load(values, Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("missing required key 'dicom.ae-title'")
                .hasMessageContaining("LILNET_DICOM_AE_TITLE");
    }

    @Test
    void everyBadKeyIsReportedAtOnce() {
        Map<String, String> values = new java.util.HashMap<>(MINIMAL);
        values.put("dicom.port", "70000");
        values.put("study.quiet-period", "soon");
        values.put("kafka.bootstrap.servers", "localhost");

        assertThatThrownBy(() -> definition.load(values, Map.of()))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).hasSize(3))
                .hasMessageContaining("'dicom.port' = '70000' is invalid: must be between 1 and 65535")
                .hasMessageContaining("'study.quiet-period' = 'soon' is not a valid duration")
                .hasMessageContaining("'kafka.bootstrap.servers' = 'localhost' is invalid");
    }

    @Test
    void anUnknownKeyIsRefusedWithASuggestion() {
        Map<String, String> values = new java.util.HashMap<>(MINIMAL);
        values.put("dicom.prot", "104");

        assertThatThrownBy(() -> definition.load(values, Map.of()))
                .hasMessageContaining("unknown key 'dicom.prot' (did you mean 'dicom.port'?)");
    }

    @Test
    void environmentOverridesTheFile() {
        Config config = definition.load(MINIMAL, Map.of("LILNET_DICOM_PORT", "4242", "LILNET_STUDY_QUIET_PERIOD", "500ms"));

        assertThat(config.get(PORT)).isEqualTo(4242);
        assertThat(config.get(QUIET)).isEqualTo(Duration.ofMillis(500));
    }

    @Test
    void kafkaAndRegistryClientSettingsPassThrough() {
        Map<String, String> values = new java.util.HashMap<>(MINIMAL);
        values.put("kafka.security.protocol", "SASL_SSL");
        values.put("apicurio.registry.auth.username", "svc");
        Config config = definition.load(values, Map.of("LILNET_KAFKA_SASL_MECHANISM", "SCRAM-SHA-512"));

        assertThat(config.kafkaClientSettings()).containsEntry("bootstrap.servers", "localhost:9092")
                .containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.mechanism", "SCRAM-SHA-512");
        assertThat(config.registryClientSettings()).containsEntry("apicurio.registry.auth.username", "svc");
    }

    @Test
    void secretsAreMaskedWhenTheConfigurationIsPrinted() {
        Map<String, String> values = new java.util.HashMap<>(MINIMAL);
        values.put("kafka.ssl.keystore.password", "hunter2");

        assertThat(definition.load(values, Map.of()).describe()).contains("kafka.ssl.keystore.password = ****").doesNotContain("hunter2");
    }

    @Test
    void readingAnUndeclaredKeyIsAProgrammingError() {
        Config config = definition.load(MINIMAL, Map.of());
        ConfigKey<String> other = ConfigKey.string("other.key", "Not declared.");

        assertThatThrownBy(() -> config.get(other)).hasMessageContaining("does not declare 'other.key'");
    }

    @Test
    void durationsTakeShortAndIsoForms() {
        assertThat(ConfigKey.parseDuration("250ms")).isEqualTo(Duration.ofMillis(250));
        assertThat(ConfigKey.parseDuration("2m")).isEqualTo(Duration.ofMinutes(2));
        assertThat(ConfigKey.parseDuration("PT1.5S")).isEqualTo(Duration.ofMillis(1500));
        assertThat(ConfigKey.formatDuration(Duration.ofSeconds(90))).isEqualTo("90s");
    }

    @Test
    void markdownListsEveryKeyWithTypeDefaultAndVariable() {
        String md = definition.markdown();

        assertThat(md).contains("| `dicom.port` | int | `11112` | `LILNET_DICOM_PORT` | DICOM port. Valid: between 1 and 65535. |");
        assertThat(md).contains("| `dicom.ae-title` | string | **required** |");
        assertThat(md.lines().filter(l -> l.startsWith("| `")).count()).isEqualTo(definition.keys().size());
    }

    @Test
    void aKeyDeclaredTwiceIsAProgrammingError() {
        assertThatThrownBy(() -> new ConfigDefinition("x", List.of(PORT, PORT))).hasMessageContaining("'dicom.port' twice");
    }
}

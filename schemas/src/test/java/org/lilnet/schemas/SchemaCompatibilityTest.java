package org.lilnet.schemas;

import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.specific.SpecificData;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class SchemaCompatibilityTest {

    private static final Path CURRENT = Path.of(System.getProperty("schemas.current", "src/main/avro"));
    private static final Path RELEASED = Path.of(System.getProperty("schemas.released", "released"));

    private final Map<String, Schema> current = EventSchemas.load(CURRENT);
    private final Map<String, Schema> released = EventSchemas.load(RELEASED);

    @Test
    void everyTopicValueHasASchema() {
        assertThat(current.keySet()).containsExactlyInAnyOrder(
                "StudyArrived", "DetectTask", "SliceDetections", "ChunkPredictions", "Diagnosis", "DeadLetter");
    }

    @Test
    void currentSchemasReadEverythingWrittenWithTheReleasedOnes() {
        assertThat(released).isNotEmpty();
        assertThat(CompatibilityCheck.backward(current, released)).isEmpty();
    }

    @Test
    void addingARequiredFieldIsRefused() {
        Schema diagnosis = current.get("Diagnosis");
        Schema changed = withExtraField(diagnosis, new Schema.Field("reviewer", Schema.create(Schema.Type.STRING), "who reviewed it"));

        List<CompatibilityCheck.Problem> problems = CompatibilityCheck.backward("Diagnosis", changed, diagnosis);

        assertThat(problems).hasSize(1);
        assertThat(problems.get(0).toString()).contains("Diagnosis", "READER_FIELD_MISSING_DEFAULT_VALUE", "reviewer");
    }

    @Test
    void changingAFieldTypeIsRefused() {
        Schema task = current.get("DetectTask");
        Schema changed = withFieldType(task, "chunkIndex", Schema.create(Schema.Type.STRING));

        assertThat(CompatibilityCheck.backward("DetectTask", changed, task))
                .extracting(Object::toString)
                .anySatisfy(p -> assertThat(p).contains("TYPE_MISMATCH", "chunkIndex"));
    }

    @Test
    void removingAReleasedEventIsRefused() {
        Map<String, Schema> withoutDeadLetter = new java.util.LinkedHashMap<>(current);
        withoutDeadLetter.remove("DeadLetter");

        assertThat(CompatibilityCheck.backward(withoutDeadLetter, released))
                .extracting(CompatibilityCheck.Problem::event).containsExactly("DeadLetter");
    }

    @Test
    void addingAnOptionalFieldWithADefaultIsAccepted() {
        Schema diagnosis = current.get("Diagnosis");
        Schema optionalString = Schema.createUnion(Schema.create(Schema.Type.NULL), Schema.create(Schema.Type.STRING));
        Schema changed = withExtraField(diagnosis, new Schema.Field("reviewer", optionalString, "who reviewed it", Schema.Field.NULL_DEFAULT_VALUE));

        assertThat(CompatibilityCheck.backward("Diagnosis", changed, diagnosis)).isEmpty();
    }

    @Test
    void everyFieldIsDocumented() {
        List<String> undocumented = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        current.values().forEach(schema -> collectUndocumented(schema, seen, undocumented));
        assertThat(undocumented).isEmpty();
    }

    @Test
    void generatedClassesMatchTheSchemaFiles() throws Exception {
        for (var entry : current.entrySet()) {
            Class<?> generated = Class.forName("org.lilnet.events." + entry.getKey());
            Schema schemaOfClass = SpecificData.get().getSchema(generated);
            assertThat(SchemaNormalization.parsingFingerprint64(schemaOfClass))
                    .as(entry.getKey())
                    .isEqualTo(SchemaNormalization.parsingFingerprint64(entry.getValue()));
        }
    }

    private static void collectUndocumented(Schema schema, Set<String> seen, List<String> undocumented) {
        switch (schema.getType()) {
            case RECORD -> {
                if (!seen.add(schema.getFullName())) {
                    return;
                }
                if (schema.getDoc() == null || schema.getDoc().isBlank()) {
                    undocumented.add(schema.getFullName());
                }
                for (Schema.Field field : schema.getFields()) {
                    if (field.doc() == null || field.doc().isBlank()) {
                        undocumented.add(schema.getFullName() + "." + field.name());
                    }
                    collectUndocumented(field.schema(), seen, undocumented);
                }
            }
            case ENUM -> {
                if (seen.add(schema.getFullName()) && (schema.getDoc() == null || schema.getDoc().isBlank())) {
                    undocumented.add(schema.getFullName());
                }
            }
            case ARRAY -> collectUndocumented(schema.getElementType(), seen, undocumented);
            case MAP -> collectUndocumented(schema.getValueType(), seen, undocumented);
            case UNION -> schema.getTypes().forEach(t -> collectUndocumented(t, seen, undocumented));
            default -> { }
        }
    }

    private static Schema withExtraField(Schema record, Schema.Field extra) {
        List<Schema.Field> fields = new ArrayList<>();
        for (Schema.Field f : record.getFields()) {
            fields.add(new Schema.Field(f, f.schema()));
        }
        fields.add(extra);
        return Schema.createRecord(record.getName(), record.getDoc(), record.getNamespace(), false, fields);
    }

    private static Schema withFieldType(Schema record, String name, Schema type) {
        List<Schema.Field> fields = new ArrayList<>();
        for (Schema.Field f : record.getFields()) {
            fields.add(f.name().equals(name) ? new Schema.Field(f.name(), type, f.doc()) : new Schema.Field(f, f.schema()));
        }
        return Schema.createRecord(record.getName(), record.getDoc(), record.getNamespace(), false, fields);
    }
}

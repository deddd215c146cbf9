package org.lilnet.schemas;

import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.Incompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * BACKWARD compatibility, as the schema registry checks it: consumers using the new schema must be able to
 * read everything written with the released one (new schema as reader, released schema as writer).
 */
public final class CompatibilityCheck {

    private CompatibilityCheck() {
    }

    /** One problem found, with the event it concerns and where in the schema. */
    public record Problem(String event, String message) {
        @Override
        public String toString() {
            return event + ": " + message;
        }
    }

    /** Problems of one event; empty when the current schema can read data written with the released one. */
    public static List<Problem> backward(String event, Schema current, Schema released) {
        var result = SchemaCompatibility.checkReaderWriterCompatibility(current, released).getResult();
        List<Problem> problems = new ArrayList<>();
        if (result.getCompatibility() == SchemaCompatibilityType.INCOMPATIBLE) {
            for (Incompatibility incompatibility : result.getIncompatibilities()) {
                problems.add(new Problem(event, incompatibility.getType() + " at "
                        + fieldPath(current, incompatibility.getLocation()) + ": " + incompatibility.getMessage()));
            }
        }
        return problems;
    }

    /** Turns Avro's JSON pointer ({@code /fields/6/type/items}) into field names ({@code slices[].sliceIndex}). */
    static String fieldPath(Schema schema, String pointer) {
        StringBuilder path = new StringBuilder();
        Schema at = schema;
        String[] steps = pointer.split("/");
        for (int i = 1; i < steps.length; i++) {
            String step = steps[i];
            if (step.equals("fields") && i + 1 < steps.length && at.getType() == Schema.Type.RECORD) {
                Schema.Field field = at.getFields().get(Integer.parseInt(steps[++i]));
                path.append(path.length() == 0 ? "" : ".").append(field.name());
                at = field.schema();
            } else if (step.equals("items") && at.getType() == Schema.Type.ARRAY) {
                path.append("[]");
                at = at.getElementType();
            } else if (step.equals("values") && at.getType() == Schema.Type.MAP) {
                path.append("{}");
                at = at.getValueType();
            } else if (step.matches("\\d+") && at.getType() == Schema.Type.UNION) {
                at = at.getTypes().get(Integer.parseInt(step));
            }
        }
        return path.length() == 0 ? pointer : path + " (" + pointer + ")";
    }

    /** Problems over all events that have a released version; an event released but now missing is a problem too. */
    public static List<Problem> backward(Map<String, Schema> current, Map<String, Schema> released) {
        List<Problem> problems = new ArrayList<>();
        released.forEach((event, releasedSchema) -> {
            Schema currentSchema = current.get(event);
            if (currentSchema == null) {
                problems.add(new Problem(event, "released schema has no current version (a topic's value schema cannot be removed)"));
            } else {
                problems.addAll(backward(event, currentSchema, releasedSchema));
            }
        });
        return problems;
    }
}

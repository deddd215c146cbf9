package org.lilnet.common.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificData;
import org.lilnet.common.topics.Topic;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Registers a topic's value schema as one self-contained Avro schema (nested types inline, no Java-only
 * properties) under the subject {@code <topic>-value}, through the registry's Confluent-compatible API. That is the
 * form every Confluent client resolves (Apicurio's auto-registration would split nested types into references,
 * which Confluent's Node client cannot order). Registering the same schema again returns the same version; an
 * incompatible schema is refused by the registry's BACKWARD rule with a message naming the subject.
 */
public final class SchemaRegistration {

    /** The registry's answer: which version of the subject holds our schema, and its id on the wire. */
    public record Registered(String subject, int version, int id) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, Registered> CACHE = new ConcurrentHashMap<>();

    private SchemaRegistration() {
    }

    /** The schema we write for a topic, as registered. */
    public static String schemaText(Topic<?> topic) {
        Schema schema = SpecificData.get().getSchema(topic.valueType());
        try {
            JsonNode tree = JSON.readTree(schema.toString());
            stripJavaProperties(tree);
            return JSON.writeValueAsString(tree);
        } catch (IOException e) {
            throw new IllegalStateException("cannot render the schema of " + topic, e);
        }
    }

    /** Registers (or finds) the topic's schema; cached per registry and topic for the life of the process. */
    public static Registered ensureRegistered(RegistryAccess registry, Topic<?> topic) {
        return CACHE.computeIfAbsent(registry.baseUrl() + " " + topic.name(), k -> register(registry, topic));
    }

    private static Registered register(RegistryAccess registry, Topic<?> topic) {
        String subject = topic.valueSubject();
        String base = registry.confluentCompatibleUrl() + "/subjects/" + URLEncoder.encode(subject, StandardCharsets.UTF_8);
        String body;
        try {
            body = JSON.writeValueAsString(Map.of("schema", schemaText(topic), "schemaType", "AVRO"));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        RegistryHttp http = RegistryHttp.of(registry, Duration.ofSeconds(5));
        try {
            HttpResponse<String> created = http.send(post(http, base + "/versions", body), HttpResponse.BodyHandlers.ofString());
            if (created.statusCode() == 409) {
                throw new IllegalStateException("the registry refuses our schema for " + subject
                        + " as incompatible with the registered versions (BACKWARD): " + created.body());
            }
            if (created.statusCode() != 200) {
                throw new IllegalStateException("registering the schema of " + subject + " failed: HTTP " + created.statusCode()
                        + " " + created.body());
            }
            HttpResponse<String> found = http.send(post(http, base, body), HttpResponse.BodyHandlers.ofString());
            if (found.statusCode() != 200) {
                throw new IllegalStateException("looking up the schema of " + subject + " failed: HTTP " + found.statusCode() + " " + found.body());
            }
            JsonNode answer = JSON.readTree(found.body());
            return new Registered(subject, answer.get("version").asInt(), answer.get("id").asInt());
        } catch (IOException e) {
            throw new IllegalStateException("cannot reach the schema registry at " + registry.baseUrl() + " to register " + subject
                    + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while registering " + subject, e);
        }
    }

    private static HttpRequest post(RegistryHttp http, String url, String body) throws IOException, InterruptedException {
        return http.request(URI.create(url))
                .header("Content-Type", "application/vnd.schemaregistry.v1+json")
                .timeout(Duration.ofSeconds(15))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    private static void stripJavaProperties(JsonNode node) {
        if (node.isObject()) {
            ObjectNode object = (ObjectNode) node;
            object.remove("avro.java.string");
            for (Iterator<JsonNode> it = object.elements(); it.hasNext(); ) {
                stripJavaProperties(it.next());
            }
        } else if (node.isArray()) {
            node.forEach(SchemaRegistration::stripJavaProperties);
        }
    }
}

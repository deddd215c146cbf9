package org.lilnet.common.kafka;

import org.lilnet.common.config.CommonKeys;
import org.lilnet.common.config.Config;

import java.util.Map;

/**
 * Where the schema registry is and how to talk to it. Accepts the registry's base URL or one of its API URLs
 * and derives the others: our serdes use {@code /apis/registry/v3}, Confluent clients {@code /apis/ccompat/v7}.
 *
 * @param baseUrl        e.g. {@code http://localhost:28080}
 * @param clientSettings {@code apicurio.registry.*} settings passed to the serdes (TLS, authentication)
 */
public record RegistryAccess(String baseUrl, Map<String, String> clientSettings) {

    public RegistryAccess {
        baseUrl = normalise(baseUrl);
        clientSettings = Map.copyOf(clientSettings);
    }

    public static RegistryAccess of(String url) {
        return new RegistryAccess(url, Map.of());
    }

    public static RegistryAccess from(Config config) {
        return new RegistryAccess(config.get(CommonKeys.REGISTRY_URL), config.registryClientSettings());
    }

    /** Apicurio's native API, what {@code apicurio.registry.url} wants. */
    public String v3Url() {
        return baseUrl + "/apis/registry/v3";
    }

    /** The Confluent-compatible API, for Confluent's own clients. */
    public String confluentCompatibleUrl() {
        return baseUrl + "/apis/ccompat/v7";
    }

    private static String normalise(String url) {
        String u = url.trim();
        while (u.endsWith("/")) {
            u = u.substring(0, u.length() - 1);
        }
        for (String api : new String[] {"/apis/registry/v3", "/apis/registry/v2", "/apis/ccompat/v7", "/apis/ccompat/v6", "/apis"}) {
            if (u.endsWith(api)) {
                return u.substring(0, u.length() - api.length());
            }
        }
        return u;
    }
}

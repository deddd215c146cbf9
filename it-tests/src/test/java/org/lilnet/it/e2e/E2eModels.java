package org.lilnet.it.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.lilnet.inference.TestModels;
import org.lilnet.it.support.ItPaths;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The models the end-to-end tests run: the phantom-trained ones of the repository ({@code models/manifest.json}) when
 * they are there, whose manifest records what they achieve on a held-out phantom set; otherwise the inference module's
 * small test models, which exercise every mechanism but diagnose nothing.
 */
final class E2eModels {

    private E2eModels() {
    }

    /** {@code models/manifest.json}, or the manifest {@code -Dlilnet.e2e.models} names (to try other models). */
    static Path repositoryManifest() {
        String other = System.getProperty("lilnet.e2e.models");
        return other != null && !other.isBlank() ? Path.of(other) : ItPaths.repoRoot().resolve("models/manifest.json");
    }

    static boolean phantomTrained() {
        return Files.isRegularFile(repositoryManifest());
    }

    /** The manifest to run with: the repository's, else the test models copied under {@code work}. */
    static Path manifest(Path work) {
        return phantomTrained() ? repositoryManifest() : TestModels.copyTo(work.resolve("models"));
    }

    /** The {@code metrics.heldOut} figures of one role's entry in the repository's manifest. */
    static JsonNode heldOut(String role) throws IOException {
        JsonNode root = new ObjectMapper().readTree(repositoryManifest().toFile());
        for (JsonNode entry : root.path("models")) {
            if (entry.path("role").asText().equals(role)) {
                return entry.path("metrics").path("heldOut");
            }
        }
        throw new IllegalStateException("no " + role + " model in " + repositoryManifest());
    }
}

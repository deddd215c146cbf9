package org.lilnet.launcher;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class ConfigurationReferenceTest {

    private static final Path DOC = Path.of(System.getProperty("lilnet.repo.root", "..")).resolve("docs/configuration.md");

    @Test
    void theOperatorDocsListExactlyTheKeysTheServicesDeclare() throws Exception {
        assertThat(Files.readString(DOC, StandardCharsets.UTF_8))
                .as("docs/configuration.md is generated: run bin/lilnet config-docs")
                .isEqualTo(ConfigurationReference.markdown());
    }

    @Test
    void everyServiceHasAMainClassNameAndDistinctHealthPort() {
        var ports = new java.util.HashSet<Integer>();
        for (ServiceCatalog.ServiceEntry service : ServiceCatalog.ALL) {
            assertThat(service.mainClass()).startsWith("org.lilnet.");
            int port = service.configuration().keys().stream().filter(k -> k.name().equals("http.port"))
                    .map(k -> (Integer) k.defaultValue().orElseThrow()).findFirst().orElseThrow();
            assertThat(ports.add(port)).as(service.name() + " http.port " + port).isTrue();
        }
    }
}

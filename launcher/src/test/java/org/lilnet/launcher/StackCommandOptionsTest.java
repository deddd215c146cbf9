package org.lilnet.launcher;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class StackCommandOptionsTest {

    @Test
    void aRelativeDataDirectoryBecomesAbsoluteBeforeTheBrokerAndRegistryGetIt() {
        StackCommandOptions options = new StackCommandOptions();
        Path data = options.options(Path.of("data/run/stack")).dataDirectory();
        assertThat(data).isAbsolute().isEqualTo(Path.of("data/run/stack").toAbsolutePath().normalize());
    }
}

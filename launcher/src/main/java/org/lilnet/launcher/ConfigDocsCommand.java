package org.lilnet.launcher;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code lilnet config-docs}: writes the configuration reference generated from the services' own key definitions. */
@Command(name = "config-docs", mixinStandardHelpOptions = true,
        description = "Write docs/configuration.md from the services' configuration definitions.")
public final class ConfigDocsCommand implements Callable<Integer> {

    @Option(names = "--out", description = "Output file. Default: ${DEFAULT-VALUE}")
    Path out = Path.of("docs/configuration.md");

    @Override
    public Integer call() throws Exception {
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, ConfigurationReference.markdown(), StandardCharsets.UTF_8);
        System.out.println("wrote " + out);
        return 0;
    }
}

package org.lilnet.launcher;

import org.lilnet.ingest.IngestConfig;
import org.lilnet.ingest.importer.FolderImport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code lilnet ingest DIR}: backfill a folder (CD/DVD media with a DICOMDIR, a PACS export, plain folders) through a
 * running ingest-service's STOW-RS endpoint, and say what became of each file.
 */
@Command(name = "ingest", mixinStandardHelpOptions = true,
        description = {"Send the DICOM files of a folder to a running ingest-service (STOW-RS): the files DICOMDIRs reference and every "
                + "other DICOM Part 10 file found. Prints the outcome of each file.",
                "Exit status: 0 all stored (processed or not), 1 some refused, 2 the service could not be reached."})
public final class IngestCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "DIR", description = "Folder to import (walked recursively).")
    Path directory;

    @Option(names = "--url", description = "STOW-RS endpoint of the ingest-service. Default: ${DEFAULT-VALUE}")
    URI url = URI.create("http://localhost:" + IngestConfig.DICOMWEB_PORT.defaultValue().orElse(28190) + "/studies");

    @Option(names = "--token", description = "Bearer token, if the ingest-service requires one. Default: $LILNET_DICOMWEB_BEARER_TOKEN.")
    String token = System.getenv("LILNET_DICOMWEB_BEARER_TOKEN");

    @Override
    public Integer call() throws Exception {
        if (!Files.isDirectory(directory)) {
            System.err.println("not a folder: " + directory);
            return 2;
        }
        FolderImport.Summary summary;
        try {
            summary = new FolderImport(url, token, System.out).run(directory);
        } catch (java.net.ConnectException e) {
            System.err.println("cannot reach the ingest-service at " + url + ": " + e.getMessage());
            return 2;
        } catch (java.io.IOException e) {
            System.err.println("import stopped: " + e.getMessage());
            return 2;
        }
        return summary.count(FolderImport.Kind.REFUSED) > 0 ? 1 : 0;
    }
}

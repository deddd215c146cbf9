package org.lilnet.it.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.lilnet.dicom.CtSliceWriter;
import org.lilnet.dicom.DicomStructure;
import org.lilnet.events.DeadLetter;
import org.lilnet.events.RefusedInstance;
import org.lilnet.events.StudyArrived;
import org.lilnet.it.support.ItPaths;
import org.lilnet.it.support.ItStack;
import org.lilnet.stack.LocalStack;

import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Done-when 2 of the ingest issue: every file of the shared DICOM corpus (real files from public toolkits: CT in 15
 * transfer syntaxes, vendors, MR, SEG, SR, RTSTRUCT, SC, malformed regression files), plus truncated CT slices made
 * here, sent to the ingest-service (a real process) with dcmtk's storescu and over STOW-RS, one by one. Each is
 * accepted or refused with a reason (DICOM status, HTTP status and Failure Reason, log line, dead letter); the service
 * never crashes or stalls; nothing half-written is left in the blob store. A summary lists the outcome per file
 * (printed, and written to it-work/ingest-corpus-summary.md).
 */
public class IngestCorpusIT {

    static final ObjectMapper JSON = new ObjectMapper();
    static final Pattern DIMSE_STATUS = Pattern.compile("DIMSE Status\\s*:\\s*(0x[0-9a-fA-F]{4}): ([^\\n]*)");
    static final Pattern CANNOT_CONVERT = Pattern.compile("unable to convert dataset from '([^']*)'");
    /** storescu proposes compressed transfer syntaxes only when asked: one option per syntax. */
    public static final Map<String, String> PROPOSE = Map.of("1.2.840.10008.1.2.5", "-xr", "1.2.840.10008.1.2.4.70", "-xs",
            "1.2.840.10008.1.2.4.90", "-xv", "1.2.840.10008.1.2.4.91", "-xw", "1.2.840.10008.1.2.4.50", "-xy", "1.2.840.10008.1.2.4.51", "-xx",
            "1.2.840.10008.1.2.4.80", "-xt", "1.2.840.10008.1.2.4.81", "-xu", "1.2.840.10008.1.2.1.99", "-xd");
    static final Pattern ERROR_COMMENT = Pattern.compile("\\(0000,0902\\) LO \\[([^\\]]*)\\]");

    record Outcome(String file, String cstore, String stow, String deadLetter) {
    }

    @Test
    void everyCorpusFileIsAcceptedOrRefusedWithAReasonOverBothProtocols() throws Exception {
        LocalStack stack = ItStack.fresh();
        Path corpus = ItPaths.shared().resolve("dicom-corpus");
        List<Path> files;
        try (Stream<Path> walk = Files.walk(corpus)) {
            files = new ArrayList<>(walk.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().matches(".*\\.(md|tsv)")).sorted().toList());
        }
        assertThat(files).as("the corpus at " + corpus).hasSizeGreaterThanOrEqualTo(74);
        Path made = ItPaths.newWorkDirectory("corpus-extra-");
        Path truncated = truncatedCtSlice(made.resolve("truncated-ct.dcm"));
        Path truncatedHeader = truncatedHeader(made.resolve("truncated-header-ct.dcm"));
        files.add(truncated);
        files.add(truncatedHeader);

        Map<String, Outcome> outcomes = new LinkedHashMap<>();
        try (IngestProcess ingest = new IngestProcess("ingest-corpus", stack, Map.of("ingest.quiet-period", "2s")).start();
             EventTap events = new EventTap(stack)) {
            long start = System.nanoTime();
            Map<String, String> cstore = new LinkedHashMap<>();
            Map<String, String> stow = new LinkedHashMap<>();
            for (Path f : files) {
                // -R: propose the file's own SOP class and transfer syntax, as a PACS forwarding it would
                List<String> options = new ArrayList<>(List.of("-d", "-R"));
                String ts = transferSyntax(f);
                if (ts != null && PROPOSE.containsKey(ts)) {
                    options.add(PROPOSE.get(ts));
                }
                Dcmtk.Result r = Dcmtk.storescu("IT-CORPUS", ingest.dicomPort, List.of(f), 60, options.toArray(String[]::new));
                assertThat(r.timedOut()).as("storescu stalled on " + f).isFalse();
                cstore.put(name(corpus, f), storescuOutcome(r.output()));
                assertThat(ingest.alive()).as("ingest alive after C-STORE of " + f + "\n" + ingest.logTail(30)).isTrue();
            }
            for (Path f : files) {
                HttpResponse<String> r = Stow.post(ingest.stowUrl(), null, List.of(f));
                stow.put(name(corpus, f), stowOutcome(r));
                assertThat(ingest.alive()).as("ingest alive after STOW-RS of " + f).isTrue();
            }
            System.out.printf("[it] %d files sent twice (storescu, STOW-RS) in %.1f s%n", files.size(), (System.nanoTime() - start) / 1e9);
            Thread.sleep(4000); // quiet period: the cases of the corpus studies open

            for (Path f : files) {
                String n = name(corpus, f);
                String sop = sopUid(f);
                List<DeadLetter> letters = sop == null ? List.of() : events.lettersWhere(l -> sop.equals(l.getOriginalKey()));
                String letter = letters.isEmpty() ? "-" : letters.stream().map(DeadLetter::getReasonCode).distinct().reduce((a, b) -> a + "," + b).orElse("-");
                outcomes.put(n, new Outcome(n, cstore.get(n), stow.get(n), letter));
            }
            String summary = summary(outcomes);
            System.out.println(summary);
            Files.writeString(ItPaths.work().resolve("ingest-corpus-summary.md"), summary, StandardCharsets.UTF_8);

            // every file has an answer on both paths, and the service is still well
            outcomes.values().forEach(o -> {
                assertThat(o.cstore()).as(o.file()).isNotBlank();
                assertThat(o.stow()).as(o.file()).isNotBlank();
            });
            assertThat(ingest.get("/health").statusCode()).isEqualTo(200);

            // what the corpus README expects of each kind
            String lee = "ct-transfer-syntax/CTImage_LittleEndianExplicitTransferSyntax_1.2.840.10008.1.2.1.dcm";
            assertThat(outcomes.get(lee).cstore()).isEqualTo("0x0000 Success");
            for (String ts : List.of("RLELosslessTransferSyntax_1.2.840.10008.1.2.5", "JPEG2000TransferSyntax_1.2.840.10008.1.2.4.91",
                    "JPEGProcess14SV1TransferSyntax_1.2.840.10008.1.2.4.70")) {
                assertThat(outcomes.get("ct-transfer-syntax/CTImage_" + ts + ".dcm").cstore()).as(ts).isEqualTo("0x0000 Success");
            }
            assertThat(outcomes.get("ct-transfer-syntax/CTImage_JPEGLSLosslessTransferSyntax_1.2.840.10008.1.2.4.80.dcm").cstore())
                    .startsWith("not accepted at negotiation");
            assertThat(outcomes.get("malformed/fodicom_D_CLUNIE_CT1_RLE_FRAGS.dcm").cstore()).isEqualTo("0xC000 Error: Cannot understand [PIXEL_DATA_UNDECODABLE]");
            assertThat(outcomes.get(lee).stow()).startsWith("200");
            for (String ts : List.of("JPEG2000TransferSyntax_1.2.840.10008.1.2.4.91", "RLELosslessTransferSyntax_1.2.840.10008.1.2.5",
                    "JPEGProcess14SV1TransferSyntax_1.2.840.10008.1.2.4.70", "DeflatedExplicitVRLittleEndianTransferSyntax_1.2.840.10008.1.2.1.99")) {
                assertThat(outcomes.get("ct-transfer-syntax/CTImage_" + ts + ".dcm").stow()).as(ts).startsWith("200");
            }
            assertThat(outcomes.get("ct-transfer-syntax/CTImage_JPEGLSLosslessTransferSyntax_1.2.840.10008.1.2.4.80.dcm").stow())
                    .isEqualTo("409 C122 UNSUPPORTED_TRANSFER_SYNTAX");
            assertThat(outcomes.get("abdomen/SIEMENS_Avanto_MR_abdomen_overlays.dcm").cstore()).isEqualTo("0x0000 Success");
            assertThat(outcomes.get("abdomen/SEG_liver_dcmqi.dcm").cstore()).isEqualTo("0x0000 Success");
            assertThat(outcomes.get("abdomen/SIEMENS_Avanto_MR_abdomen_overlays.dcm").deadLetter()).isEqualTo("NOT_CT");
            assertThat(outcomes.get("abdomen/SEG_liver_dcmqi.dcm").stow()).isEqualTo("200 stored, not processed: NOT_CT");
            assertThat(outcomes.get("result-objects/pydicom_test-SR.dcm").stow()).isEqualTo("200 stored, not processed: NOT_CT");
            assertThat(outcomes.get("result-objects/pydicom_rtstruct.dcm").stow()).isEqualTo("409 C000 NOT_DICOM");
            assertThat(outcomes.get("malformed/fodicom_GH179A.dcm").stow()).isEqualTo("409 C000 MALFORMED_DICOM");
            assertThat(outcomes.get("malformed/fodicom_D_CLUNIE_CT1_RLE_FRAGS.dcm").stow()).isEqualTo("409 C000 PIXEL_DATA_UNDECODABLE");
            assertThat(outcomes.get("malformed/fodicom_GH223.dcm").stow()).isEqualTo("409 A900 MISSING_UID");
            assertThat(outcomes.get(name(corpus, truncated)).stow()).isEqualTo("409 C000 PIXEL_DATA_TRUNCATED");
            assertThat(outcomes.get(name(corpus, truncated)).deadLetter()).contains("PIXEL_DATA_TRUNCATED");
            assertThat(outcomes.get(name(corpus, truncated)).cstore()).as("storescu does not send a truncated file")
                    .doesNotContain("Success");

            // a refused instance of a study is listed in its case with the reason (the corpus files share SOP instance UIDs
            // between transfer syntax variants, and a good copy replaces a refused one: use the slice made here)
            String truncatedStudy = org.lilnet.dicom.DicomHeaderReader.read(truncated).studyInstanceUid();
            StudyArrived refused = events.awaitStudy(truncatedStudy, 1, Duration.ofSeconds(30));
            assertThat(refused.getRefusedInstances()).extracting(RefusedInstance::getReasonCode).containsOnly("PIXEL_DATA_TRUNCATED");
            assertThat(refused.getSeries()).isEmpty();
            assertThat(events.studies).as("cases were opened for the corpus studies").isNotEmpty();

            // nothing half-written: no temporary blob, no spool file, every stored instance is a whole DICOM object
            try (Stream<Path> incoming = Files.list(ingest.blobs.resolve(".incoming"))) {
                assertThat(incoming).isEmpty();
            }
            try (Stream<Path> spool = Files.list(ingest.work.resolve("spool"))) {
                assertThat(spool).isEmpty();
            }
            try (Stream<Path> stored = Files.walk(ingest.blobs.resolve("dicom"))) {
                for (Path p : stored.filter(Files::isRegularFile).toList()) {
                    try (InputStream in = Files.newInputStream(p)) {
                        assertThat(DicomStructure.scan(in).complete()).as(p.toString()).isTrue();
                    }
                }
            }
            assertThat(ingest.log()).doesNotContain("Exception in thread");
        }
    }

    /** A CT slice cut in the middle of its pixel data, with UIDs of its own. */
    static Path truncatedCtSlice(Path file) throws Exception {
        new CtSliceWriter().description("PV truncated").size(256, 256).write(file);
        byte[] whole = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(whole, whole.length * 2 / 3));
        return file;
    }

    /** A CT slice cut inside its header. */
    static Path truncatedHeader(Path file) throws Exception {
        new CtSliceWriter().description("PV header cut").size(64, 64).write(file);
        byte[] whole = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(whole, 900));
        return file;
    }

    static String name(Path corpus, Path f) {
        return f.startsWith(corpus) ? corpus.relativize(f).toString() : "(made here) " + f.getFileName();
    }

    public static String sopUid(Path f) {
        try {
            return org.lilnet.dicom.DicomHeaderReader.read(f).sopInstanceUid();
        } catch (Exception e) {
            return null;
        }
    }

    public static String storescuOutcome(String output) {
        Matcher m = DIMSE_STATUS.matcher(output);
        if (m.find()) {
            String status = m.group(1).toUpperCase(java.util.Locale.ROOT).replace("0X", "0x") + " " + m.group(2).trim();
            Matcher c = ERROR_COMMENT.matcher(output);
            return c.find() ? status + " [" + c.group(1).trim().split(":")[0] + "]" : status;
        }
        Matcher convert = CANNOT_CONVERT.matcher(output);
        if (convert.find()) {
            return "not accepted at negotiation (" + convert.group(1) + "); storescu cannot convert it";
        }
        if (output.contains("No presentation context for")) {
            return "not accepted at negotiation (no presentation context)";
        }
        for (String line : output.lines().toList()) {
            if (line.startsWith("E: ") || line.startsWith("F: ")) {
                return "not sent: storescu: " + line.substring(3).trim();
            }
        }
        return "no response: " + output.lines().reduce((a, b) -> b).orElse("");
    }

    public static String transferSyntax(Path f) {
        try (InputStream in = Files.newInputStream(f)) {
            return DicomStructure.scan(in).transferSyntaxUid();
        } catch (Exception e) {
            return null;
        }
    }

    public static String stowOutcome(HttpResponse<String> r) throws Exception {
        if (!r.headers().firstValue("Content-Type").orElse("").startsWith("application/dicom+json")) {
            return r.statusCode() + " " + r.body().trim();
        }
        JsonNode body = JSON.readTree(r.body());
        JsonNode failed = body.path("00081198").path("Value");
        if (failed.size() > 0) {
            JsonNode item = failed.get(0);
            return r.statusCode() + " " + String.format("%04X", item.path("00081197").path("Value").get(0).asInt()) + " "
                    + item.path("00000902").path("Value").get(0).asText().split(":")[0];
        }
        JsonNode item = body.path("00081199").path("Value").get(0);
        String comment = item.path("00000902").path("Value").path(0).asText("");
        String warning = item.has("00081196") ? " warning " + String.format("%04X", item.path("00081196").path("Value").get(0).asInt()) : "";
        return r.statusCode() + (comment.isEmpty() ? " stored" : " stored, not processed: " + comment.split(":")[0]) + warning;
    }

    static String summary(Map<String, Outcome> outcomes) {
        StringBuilder out = new StringBuilder("# Ingest corpus run: outcome per file\n\n"
                + "C-STORE: storescu -R (the file's own SOP class and transfer syntax proposed), the DIMSE status and Error Comment. "
                + "STOW-RS: HTTP status, then Failure Reason and our reason, or what was stored. Dead letters: the reason codes of the "
                + "dead letters for the file's SOPInstanceUID (several corpus files share one).\n\n"
                + "| file | C-STORE (storescu) | STOW-RS | dead letters |\n|---|---|---|---|\n");
        outcomes.values().forEach(o -> out.append("| ").append(o.file()).append(" | ").append(o.cstore().replace("|", "/")).append(" | ")
                .append(o.stow().replace("|", "/")).append(" | ").append(o.deadLetter()).append(" |\n"));
        return out.toString();
    }
}

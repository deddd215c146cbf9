package org.lilnet.it.e2e;

import org.junit.jupiter.api.Test;
import org.lilnet.it.support.ItPaths;
import org.lilnet.launcher.pipeline.PhantomCases;
import org.lilnet.phantom.GeneratedStudy;
import org.lilnet.phantom.PhantomOptions;
import org.lilnet.it.support.ItStack;
import org.lilnet.stack.ChildProcess;
import org.lilnet.stack.JavaCommand;
import org.lilnet.stack.LocalStack;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README's first command as a user runs it, here on an existing cluster (the run's broker and registry, given with
 * {@code --bootstrap-servers} / {@code --registry-url}): {@code lilnet run} as its own process starts the four services
 * as processes, writes phantom studies covering the six classes, sends them over C-STORE, prints each diagnosis as it
 * arrives and the summary against the ground truth, and stops every process it started.
 */
class RunCommandIT {

    static final Pattern DIAGNOSIS_LINE = Pattern.compile("diagnosis PH\\d+ \\(case \\.\\.\\.[0-9.]+\\) v1 (COMPLETE|NO_LESION): .*s after the last instance");
    static final Pattern SUMMARY = Pattern.compile("diagnosed (\\d+) of (\\d+) cases; benign/malignant right (\\d+) of \\d+; subtype right (\\d+) of \\d+; "
            + "lesions found (\\d+) of (\\d+)");

    @Test
    void lilnetRunWithInputSendsTheFilesOfAFolderAndReportsARefusedStudyWithItsReason() throws Exception {
        LocalStack stack = ItStack.fresh();
        Path work = ItPaths.newWorkDirectory("e2e-run-input-");
        Path input = work.resolve("input");
        GeneratedStudy study = PhantomCases.generate(PhantomOptions.defaults().withSlicesPerSeries(24), 1, 3, input, 1, s -> { }).get(0);
        // a real file whose pixel data does not decode: its study has nothing else, so its case is all refusal
        Files.copy(ItPaths.shared().resolve("dicom-corpus/malformed/fodicom_D_CLUNIE_CT1_RLE_FRAGS.dcm"), input.resolve("rle-frags.dcm"));
        Path runDir = work.resolve("run");
        String output = run(stack, work, runDir, "--input", input.toString());

        assertThat(output).contains("files in 2 studies, 1 with a ground truth");
        assertThat(output).containsPattern("sent \\.\\.\\.[0-9.]+: 0 of 1 files stored in [0-9.]+ s, 1 refused");
        assertThat(output).contains("PIXEL_DATA_UNDECODABLE").contains("1 instance of the study refused at ingest");
        // the summary has a row for each study: the phantom one against its truth, the refused one with its FAILED diagnosis
        assertThat(output).containsPattern(study.truth().patientId() + " +" + study.truth().patientClass() + " \\(");
        assertThat(output).containsPattern("\\.\\.\\.[0-9.]+ +- +FAILED");
        assertThat(output).contains("diagnosed 1 of 1 cases");
        assertNothingLeft(runDir);
    }

    private static String run(LocalStack stack, Path work, Path runDir, String... more) throws Exception {
        List<String> args = new java.util.ArrayList<>(List.of("run", "--bootstrap-servers", stack.bootstrapServers(), "--registry-url",
                stack.registryUrl(), "--free-ports", "--models", E2eModels.manifest(work).toString(), "--quiet-period", "2s",
                "--work-dir", runDir.toString(), "--timeout", "4m"));
        args.addAll(List.of(more));
        List<String> command = JavaCommand.main("org.lilnet.launcher.Lilnet").heap("384m").jvmOption("-XX:+UseSerialGC").args(args).build();
        Path log = work.resolve("lilnet-run.out");
        try (ChildProcess run = ChildProcess.start("lilnet-run", command, ItPaths.repoRoot(), log, Map.of())) {
            Integer exit = run.waitFor(Duration.ofMinutes(7));
            String output = Files.readString(log);
            System.out.println("[it e2e] lilnet run said:\n" + output);
            assertThat(exit).as("lilnet run's exit status (0: every study diagnosed)").isZero();
            return output;
        }
    }

    /** Nothing the run started is left: no process runs with the run's work directory on its command line. */
    private static void assertNothingLeft(Path runDir) {
        List<String> left = ProcessHandle.allProcesses().filter(p -> p.info().commandLine().orElse("").contains(runDir.toString()))
                .map(p -> p.pid() + " " + p.info().commandLine().orElse("")).toList();
        assertThat(left).as("processes of the run still alive").isEmpty();
    }

    @Test
    void lilnetRunOnAnExistingClusterDiagnosesPhantomStudiesOfTheSixClassesPrintsTheSummaryAndStopsEverything() throws Exception {
        LocalStack stack = ItStack.fresh();
        Path work = ItPaths.newWorkDirectory("e2e-run-");
        Path runDir = work.resolve("run");
        String output = run(stack, work, runDir, "--studies", "6", "--slices", "24");

        // progress of the long steps, each diagnosis as it arrives, the summary, a clean stop
        assertThat(output).contains("writing 6 phantom CT studies").contains("sending 6 studies over DICOM C-STORE").contains("stopped");
        for (String cls : List.of("HCC", "ICC", "MET", "FNH", "HEM", "CYST")) {
            assertThat(output).as("a study of class " + cls).containsPattern(": " + cls + ", \\d+ lesion");
        }
        assertThat(DIAGNOSIS_LINE.matcher(output).results().count()).as("diagnosis lines").isEqualTo(6);
        Matcher summary = SUMMARY.matcher(output);
        assertThat(summary.find()).as("summary line").isTrue();
        assertThat(summary.group(1)).as("cases diagnosed").isEqualTo("6");

        assertNothingLeft(runDir);
    }
}

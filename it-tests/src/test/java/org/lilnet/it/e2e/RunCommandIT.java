package org.lilnet.it.e2e;

import org.junit.jupiter.api.Test;
import org.lilnet.it.support.ItPaths;
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
    void lilnetRunOnAnExistingClusterDiagnosesPhantomStudiesOfTheSixClassesPrintsTheSummaryAndStopsEverything() throws Exception {
        LocalStack stack = ItStack.fresh();
        Path work = ItPaths.newWorkDirectory("e2e-run-");
        Path runDir = work.resolve("run");
        List<String> command = JavaCommand.main("org.lilnet.launcher.Lilnet").heap("384m").jvmOption("-XX:+UseSerialGC")
                .args("run", "--bootstrap-servers", stack.bootstrapServers(), "--registry-url", stack.registryUrl(), "--free-ports",
                        "--models", E2eModels.manifest(work).toString(), "--studies", "6", "--slices", "24", "--quiet-period", "2s",
                        "--work-dir", runDir.toString(), "--timeout", "4m")
                .build();
        Path log = work.resolve("lilnet-run.out");
        String output;
        try (ChildProcess run = ChildProcess.start("lilnet-run", command, ItPaths.repoRoot(), log, Map.of())) {
            Integer exit = run.waitFor(Duration.ofMinutes(7));
            output = Files.readString(log);
            System.out.println("[it e2e] lilnet run said:\n" + output);
            assertThat(exit).as("lilnet run's exit status (0: every study diagnosed)").isZero();
        }

        // progress of the long steps, each diagnosis as it arrives, the summary, a clean stop
        assertThat(output).contains("writing 6 phantom CT studies").contains("sending 6 studies over DICOM C-STORE").contains("stopped");
        for (String cls : List.of("HCC", "ICC", "MET", "FNH", "HEM", "CYST")) {
            assertThat(output).as("a study of class " + cls).containsPattern(": " + cls + ", \\d+ lesion");
        }
        assertThat(DIAGNOSIS_LINE.matcher(output).results().count()).as("diagnosis lines").isEqualTo(6);
        Matcher summary = SUMMARY.matcher(output);
        assertThat(summary.find()).as("summary line").isTrue();
        assertThat(summary.group(1)).as("cases diagnosed").isEqualTo("6");

        // nothing it started is left: no process runs with the run's work directory on its command line
        List<String> left = ProcessHandle.allProcesses().filter(p -> p.info().commandLine().orElse("").contains(runDir.toString()))
                .map(p -> p.pid() + " " + p.info().commandLine().orElse("")).toList();
        assertThat(left).as("processes of the run still alive").isEmpty();
    }
}

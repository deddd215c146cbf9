package org.lilnet.bench.support;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class JitActivityTest {

    @Test
    void countsUserAndSystemTimeOfCompilerThreadsOnly() {
        String c2 = "4242 (C2 CompilerThre) S 4200 4200 4200 0 -1 1077936192 5000 0 3 0 250 40 0 0 20 0 1 0 900 0 0";
        String c1 = "4243 (C1 CompilerThre) S 4200 4200 4200 0 -1 1077936192 5000 0 3 0 75 5 0 0 20 0 1 0 900 0 0";
        String loop = "4250 (detector-loop) R 4200 4200 4200 0 -1 1077936192 5000 0 3 0 9000 100 0 0 20 0 1 0 900 0 0";
        assertThat(JitActivity.compilerSecondsOf(c2)).isCloseTo(2.90, within(1e-9));
        assertThat(JitActivity.compilerSecondsOf(c1)).isCloseTo(0.80, within(1e-9));
        assertThat(JitActivity.compilerSecondsOf(loop)).isZero();
    }

    @Test
    void aThreadNameWithSpacesAndParenthesesDoesNotShiftTheFields() {
        String odd = "7 (C2 CompilerThre) x) S 1 1 1 0 -1 0 0 0 0 0 300 100 0 0 20 0 1 0 9 0 0";
        assertThat(JitActivity.compilerSecondsOf(odd)).isCloseTo(4.0, within(1e-9));
        assertThat(JitActivity.compilerSecondsOf("garbage")).isZero();
    }

    @Test
    void findsThisJvmsCompilerThreadsByName() throws Exception {
        var threads = JitActivity.compilerThreads(ProcessHandle.current().pid());
        assertThat(threads).as("HotSpot runs C1 and C2 compiler threads").isNotEmpty();
        for (long tid : threads) {
            String name = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/self/task", String.valueOf(tid), "comm")).trim();
            assertThat(name).matches("C[12] CompilerThre.*");
        }
        assertThat(JitActivity.compilerThreads(Long.MAX_VALUE)).isEmpty();
    }

    @Test
    void readsThisJvmsOwnCompilerThreads() {
        double seconds = JitActivity.compilerSeconds(ProcessHandle.current().pid());
        assertThat(seconds).as("read from /proc, not NaN").isGreaterThanOrEqualTo(0.0);
        assertThat(JitActivity.compilerSeconds(Long.MAX_VALUE)).isNaN();
    }
}

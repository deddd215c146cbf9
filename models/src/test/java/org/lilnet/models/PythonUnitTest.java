package org.lilnet.models;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Runs the Python unit tests of the model tools (models/src/test/python/test_*.py: feature masks, the aggregation
 * written out loop by loop, the strict loader's messages, the manifest helper) so that they fail the Maven build.
 */
class PythonUnitTest {

    @Test
    void thePythonUnitTestsPass() throws Exception {
        PythonTool.Result result = PythonTool.runCommand(List.of(System.getProperty("lilnet.python", "/usr/bin/python3"),
                "-m", "unittest", "discover", "-s", PythonTool.TEST_PYTHON.toString(), "-p", "test_*.py", "-v"));

        System.out.println(result.stderr());
        assertThat(result.exitStatus()).as("python unit tests (output above)").isZero();
        assertThat(result.stderr()).containsPattern("Ran [1-9][0-9]* tests").contains("\nOK");
    }
}

package org.lilnet.stack;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class JavaCommandTest {

    /** The child: prints its class path. */
    public static final class PrintClassPath {
        public static void main(String[] args) {
            System.out.print(System.getProperty("java.class.path"));
        }
    }

    @Test
    void aLongClassPathTravelsInAnArgumentFileAndTheChildStillSeesIt() throws Exception {
        StringBuilder classpath = new StringBuilder(System.getProperty("java.class.path"));
        for (int i = 0; classpath.length() <= 3 * JavaCommand.LONGEST_INLINE_CLASSPATH; i++) {
            classpath.append(':').append(Path.of("/nonexistent/some/long/path/to/a/jar/file-" + i + ".jar"));
        }
        List<String> command = JavaCommand.main(PrintClassPath.class.getName()).classpath(classpath.toString()).heap("64m").build();

        assertThat(command).allSatisfy(arg -> assertThat(arg.length()).isLessThan(JavaCommand.LONGEST_INLINE_CLASSPATH));
        assertThat(command).doesNotContain("-cp").anySatisfy(arg -> assertThat(arg).startsWith("@"));
        Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(child.exitValue()).as(out).isZero();
        assertThat(out).isEqualTo(classpath.toString());
    }

    @Test
    void aShortClassPathStaysOnTheCommandLine() {
        assertThat(JavaCommand.main("x.Main").classpath("/a.jar:/b.jar").build()).containsSubsequence("-cp", "/a.jar:/b.jar", "x.Main");
    }
}

package org.lilnet.stack;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class JavaRuntimesTest {

    @TempDir
    Path jvms;

    @Test
    void picksTheNewestJdkThatIsRecentEnough() throws Exception {
        assumeTrue(Runtime.version().feature() < 21, "this JVM is already recent enough");
        fakeJdk("java-17", "17.0.15");
        fakeJdk("temurin-21", "21.0.4");
        fakeJdk("temurin-25", "25.0.1");

        assertThat(JavaRuntimes.find(21, List.of(jvms))).contains(jvms.resolve("temurin-25"));
    }

    @Test
    void findsNothingWhenEveryJdkIsTooOld() throws Exception {
        assumeTrue(Runtime.version().feature() < 21, "this JVM is already recent enough");
        fakeJdk("java-17", "17.0.15");

        assertThat(JavaRuntimes.find(21, List.of(jvms, jvms.resolve("absent")))).isEmpty();
    }

    @Test
    void readsTheFeatureVersionFromTheReleaseFile() throws Exception {
        assertThat(JavaRuntimes.featureVersion(fakeJdk("x", "25.0.1"))).isEqualTo(25);
        assertThat(JavaRuntimes.featureVersion(jvms.resolve("none"))).isZero();
    }

    @Test
    void aJavaCommandHasHeapPropertiesClassPathAndArguments() {
        List<String> command = JavaCommand.main("a.Main").javaHome(Path.of("/jdk")).classpath("x.jar:y.jar").heap("64m")
                .jvmOption("-XX:+UseSerialGC").property("k", "v").args("--config", "f").build();

        assertThat(command).containsExactly("/jdk/bin/java", "-Xmx64m", "-XX:+UseSerialGC", "-Dk=v", "-cp", "x.jar:y.jar", "a.Main",
                "--config", "f");
    }

    private Path fakeJdk(String name, String version) throws Exception {
        Path home = jvms.resolve(name);
        Files.createDirectories(home.resolve("bin"));
        Path java = Files.createFile(home.resolve("bin/java"), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        assertThat(java).isExecutable();
        Files.writeString(home.resolve("release"), "IMPLEMENTOR=\"x\"\nJAVA_VERSION=\"" + version + "\"\n");
        return home;
    }
}

package org.lilnet.stack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** Finds a JDK of at least a given version: the registry server needs Java 21+, our services run on 17. */
public final class JavaRuntimes {

    private static final Pattern VERSION = Pattern.compile("JAVA_VERSION=\"(\\d+)");

    private JavaRuntimes() {
    }

    /** A Java home whose feature version is at least {@code minimum}: this JVM's, or one under {@code /usr/lib/jvm}. */
    public static Optional<Path> find(int minimum, List<Path> searchRoots) {
        if (Runtime.version().feature() >= minimum) {
            return Optional.of(Path.of(System.getProperty("java.home")));
        }
        return searchRoots.stream()
                .filter(Files::isDirectory)
                .flatMap(JavaRuntimes::children)
                .filter(home -> Files.isExecutable(home.resolve("bin/java")))
                .filter(home -> featureVersion(home) >= minimum)
                .max(Comparator.comparingInt(JavaRuntimes::featureVersion));
    }

    public static Optional<Path> find(int minimum) {
        return find(minimum, List.of(Path.of("/usr/lib/jvm"), Path.of("/opt/java"), Path.of("/usr/java")));
    }

    /** Feature version from the JDK's {@code release} file, 0 if unknown. */
    public static int featureVersion(Path javaHome) {
        try {
            Matcher m = VERSION.matcher(Files.readString(javaHome.resolve("release")));
            return m.find() ? Integer.parseInt(m.group(1)) : 0;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    private static Stream<Path> children(Path root) {
        try (Stream<Path> s = Files.list(root)) {
            return s.toList().stream();
        } catch (IOException e) {
            return Stream.empty();
        }
    }
}

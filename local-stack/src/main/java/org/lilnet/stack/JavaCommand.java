package org.lilnet.stack;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The command line of a JVM: which java, heap, system properties, class path and main class or jar. */
public final class JavaCommand {

    private Path javaHome = Path.of(System.getProperty("java.home"));
    private String heap = "256m";
    private final List<String> jvmOptions = new ArrayList<>();
    private final Map<String, String> systemProperties = new LinkedHashMap<>();
    private String classpath;
    private String mainClass;
    private Path jar;
    private final List<String> arguments = new ArrayList<>();

    private JavaCommand() {
    }

    /** Runs a main class with the class path of this JVM (how services are started beside the launcher). */
    public static JavaCommand main(String mainClass) {
        JavaCommand c = new JavaCommand();
        c.mainClass = mainClass;
        c.classpath = System.getProperty("java.class.path");
        return c;
    }

    public static JavaCommand jar(Path jar) {
        JavaCommand c = new JavaCommand();
        c.jar = jar;
        return c;
    }

    public JavaCommand javaHome(Path home) {
        this.javaHome = home;
        return this;
    }

    public JavaCommand heap(String maxHeap) {
        this.heap = maxHeap;
        return this;
    }

    public JavaCommand classpath(String classpath) {
        this.classpath = classpath;
        return this;
    }

    public JavaCommand jvmOption(String option) {
        jvmOptions.add(option);
        return this;
    }

    public JavaCommand property(String name, String value) {
        systemProperties.put(name, value);
        return this;
    }

    public JavaCommand args(String... args) {
        arguments.addAll(List.of(args));
        return this;
    }

    public JavaCommand args(List<String> args) {
        arguments.addAll(args);
        return this;
    }

    /** Class paths longer than this go into an argument file ({@code java @file}). */
    static final int LONGEST_INLINE_CLASSPATH = 2000;

    /** Writes {@code -cp <classpath>} to a temporary argument file (removed when this JVM exits). */
    static java.nio.file.Path argumentFile(String classpath) {
        try {
            java.nio.file.Path file = java.nio.file.Files.createTempFile("lilnet-classpath-", ".args");
            file.toFile().deleteOnExit();
            String quoted = "\"" + classpath.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
            java.nio.file.Files.writeString(file, "-cp\n" + quoted + "\n");
            return file;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot write the class path argument file", e);
        }
    }

    public List<String> build() {
        List<String> command = new ArrayList<>();
        command.add(javaHome.resolve("bin").resolve("java").toString());
        command.add("-Xmx" + heap);
        command.addAll(jvmOptions);
        systemProperties.forEach((k, v) -> command.add("-D" + k + "=" + v));
        if (jar != null) {
            command.add("-jar");
            command.add(jar.toString());
        } else if (classpath.length() > LONGEST_INLINE_CLASSPATH) {
            // a long command line crashes ONNX Runtime 1.29's native start-up (SIGSEGV); an argument file keeps it short
            command.add("@" + argumentFile(classpath));
            command.add(mainClass);
        } else {
            command.add("-cp");
            command.add(classpath);
            command.add(mainClass);
        }
        command.addAll(arguments);
        return command;
    }
}

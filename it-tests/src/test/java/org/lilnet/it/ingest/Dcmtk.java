package org.lilnet.it.ingest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** dcmtk's storescu, the sender a PACS or a scanner would be. */
public final class Dcmtk {

    public record Result(int exit, String output, boolean timedOut) {
    }

    private Dcmtk() {
    }

    public static Result storescu(String callingAe, int port, List<Path> files, long timeoutSeconds) throws IOException, InterruptedException {
        return storescu(callingAe, port, files, timeoutSeconds, "-v");
    }

    /** With "-d" storescu also prints the responses' Error Comment (0000,0902); options go before the address. */
    public static Result storescu(String callingAe, int port, List<Path> files, long timeoutSeconds, String... options)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("storescu"));
        command.addAll(List.of(options));
        command.addAll(List.of("-aet", callingAe, "-aec", IngestProcess.AE_TITLE, "127.0.0.1", String.valueOf(port)));
        files.forEach(f -> command.add(f.toString()));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        StringBuilder out = new StringBuilder();
        Thread reader = new Thread(() -> {
            try {
                out.append(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException ignored) {
                // the process ended
            }
        });
        reader.start();
        boolean done = p.waitFor(timeoutSeconds, TimeUnit.SECONDS);
        if (!done) {
            p.destroyForcibly();
        }
        reader.join(5000);
        return new Result(done ? p.exitValue() : -1, out.toString(), !done);
    }
}

package org.lilnet.it.ingest;

import org.lilnet.it.support.ItPaths;
import org.lilnet.stack.ChildProcess;
import org.lilnet.stack.FreePorts;
import org.lilnet.stack.LocalStack;
import org.lilnet.stack.ServiceProcess;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/** The ingest-service as a real process on the test stack: its ports, its blob store, start, kill, restart. */
final class IngestProcess implements AutoCloseable {

    static final String AE_TITLE = "LILNET";

    final Path work;
    final Path blobs;
    final int dicomPort;
    final int stowPort;
    private final String name;
    private final Map<String, String> settings = new LinkedHashMap<>();
    private ServiceProcess service;

    IngestProcess(String name, LocalStack stack, Map<String, String> extra) {
        this.name = name;
        work = ItPaths.newWorkDirectory(name + "-");
        blobs = work.resolve("blobs");
        int[] ports = FreePorts.allocate(2);
        dicomPort = ports[0];
        stowPort = ports[1];
        settings.put("kafka.bootstrap.servers", stack.bootstrapServers());
        settings.put("registry.url", stack.registryUrl());
        settings.put("instance.id", "it-" + name);
        settings.put("dicom.host", "127.0.0.1");
        settings.put("dicom.port", String.valueOf(dicomPort));
        settings.put("dicom.ae-title", AE_TITLE);
        settings.put("dicomweb.host", "127.0.0.1");
        settings.put("dicomweb.port", String.valueOf(stowPort));
        settings.put("blob.store.dir", blobs.toString());
        settings.put("ingest.state.dir", work.resolve("state").toString());
        settings.put("ingest.spool.dir", work.resolve("spool").toString());
        settings.putAll(extra);
    }

    /** Starts the service (again, after a kill, with the same configuration) and waits until /health is UP. */
    IngestProcess start() throws Exception {
        service = service == null ? ServiceProcess.start("ingest", "org.lilnet.ingest.IngestMain", settings, work, "256m") : service.restart();
        service.awaitHealthy(Duration.ofSeconds(120));
        System.out.println("[it] ingest-service " + name + " up (pid " + service.process().pid() + "): DICOM " + dicomPort
                + ", STOW-RS " + stowPort + ", ops " + service.httpPort());
        return this;
    }

    HttpResponse<String> get(String path) {
        return service.get(path);
    }

    String stowUrl() {
        return "http://127.0.0.1:" + stowPort + "/studies";
    }

    boolean alive() {
        return service != null && service.isAlive();
    }

    ChildProcess process() {
        return service.process();
    }

    /** SIGKILL: a crash. */
    void kill() {
        service.kill();
    }

    String logTail(int lines) {
        return service == null ? "" : service.logTail(lines);
    }

    String log() {
        return service.logText();
    }

    @Override
    public void close() {
        if (service != null) {
            service.close();
        }
    }
}

package org.lilnet.ingest.dimse;

import com.pixelmed.network.AReleaseException;
import com.pixelmed.network.Association;
import com.pixelmed.network.AssociationFactory;
import com.pixelmed.network.DicomNetworkException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.lilnet.ingest.intake.DicomStatus;
import org.lilnet.ingest.intake.Intake;
import org.lilnet.ingest.intake.IntakeResult;
import org.lilnet.ingest.intake.Source;
import org.lilnet.ingest.intake.Spool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The DICOM storage SCP: C-STORE and C-ECHO over PixelMed's association layer. Each association runs in its own
 * thread (up to {@code maxAssociations}; more are rejected as "local limit exceeded"); each received instance goes
 * through {@link Intake} before its C-STORE response, whose status and Error Comment say what became of it.
 * Callers not in the allowed list are rejected at negotiation ("calling AE title not recognized"). An association
 * idle for longer than the idle timeout is closed.
 */
public final class DicomScp implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DicomScp.class);
    private static final int RELEASE_WAIT_MS = 500;

    /**
     * @param aeTitle            our AE title (the called AE title senders must use)
     * @param host               interface to listen on
     * @param port               0 picks a free port
     * @param allowedCallingAes  AE titles allowed to connect; empty: any
     * @param maxAssociations    concurrent associations
     * @param idleTimeout        an association silent for longer is closed
     * @param maxPduLength       the maximum PDU length we offer to receive
     */
    public record Settings(String aeTitle, String host, int port, Set<String> allowedCallingAes, int maxAssociations, Duration idleTimeout,
                           int maxPduLength) {
    }

    private final Settings settings;
    private final Intake intake;
    private final Spool spool;
    private final StoragePresentationContexts policy = new StoragePresentationContexts();
    private final ThreadPoolExecutor workers;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final MeterRegistry metrics;
    private final AtomicInteger active = new AtomicInteger();
    private ServerSocket server;
    private Thread acceptor;
    private volatile boolean stopping;

    public DicomScp(Settings settings, Intake intake, Spool spool, MeterRegistry metrics) {
        this.settings = settings;
        this.intake = intake;
        this.spool = spool;
        this.metrics = metrics;
        AtomicInteger n = new AtomicInteger();
        this.workers = new ThreadPoolExecutor(settings.maxAssociations(), settings.maxAssociations(), 60, TimeUnit.SECONDS,
                new SynchronousQueue<>(), r -> {
            Thread t = new Thread(r, "dicom-association-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.workers.allowCoreThreadTimeOut(true);
        metrics.gauge("lilnet.ingest.dicom.associations.active", active);
    }

    public void start() throws IOException {
        shortenReleaseWait();
        server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(InetAddress.getByName(settings.host()), settings.port()), 64);
        acceptor = new Thread(this::acceptLoop, "dicom-listener");
        acceptor.setDaemon(true);
        acceptor.start();
        LOG.info("DICOM SCP {} listening on {}:{} (calling AE titles: {}; up to {} associations)", settings.aeTitle(), settings.host(),
                port(), settings.allowedCallingAes().isEmpty() ? "any" : String.join(", ", settings.allowedCallingAes()), settings.maxAssociations());
    }

    public int port() {
        return server.getLocalPort();
    }

    public boolean listening() {
        return server != null && !server.isClosed() && acceptor != null && acceptor.isAlive();
    }

    private void acceptLoop() {
        while (!stopping) {
            Socket socket;
            try {
                socket = server.accept();
            } catch (IOException e) {
                if (!stopping) {
                    LOG.error("DICOM listener stopped accepting: {}", e.toString());
                }
                return;
            }
            try {
                workers.execute(() -> serve(socket));
            } catch (RejectedExecutionException e) {
                refuseBusy(socket);
            }
        }
    }

    private void refuseBusy(Socket socket) {
        try (socket) {
            socket.setSoTimeout(2000);
            AssociateRequest request = AssociateRequest.read(socket.getInputStream());
            AssociateRequest.reject(socket.getOutputStream(), 2, 3, AssociateRequest.LOCAL_LIMIT_EXCEEDED);
            LOG.warn("association from AE '{}' at {} rejected: {} associations already open", request.callingAeTitle(),
                    socket.getInetAddress().getHostAddress(), settings.maxAssociations());
            count("rejected-busy");
        } catch (IOException e) {
            LOG.debug("could not reject a connection: {}", e.toString());
        }
    }

    private void serve(Socket socket) {
        open.add(socket);
        active.incrementAndGet();
        String host = socket.getInetAddress().getHostAddress();
        String caller = "?";
        int stored = 0;
        int notProcessed = 0;
        int refused = 0;
        long start = System.nanoTime();
        StoreRequestHandler handler = null;
        try {
            socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, settings.idleTimeout().toMillis()));
            socket.setTcpNoDelay(true);
            AssociateRequest request = AssociateRequest.read(socket.getInputStream());
            caller = request.callingAeTitle();
            if (request.pduType() == 0x01) {
                if (!settings.aeTitle().equals(request.calledAeTitle())) {
                    AssociateRequest.reject(socket.getOutputStream(), 1, 1, AssociateRequest.CALLED_AE_NOT_RECOGNIZED);
                    LOG.warn("association from AE '{}' at {} rejected: called AE title '{}' is not ours ('{}')", caller, host,
                            request.calledAeTitle(), settings.aeTitle());
                    count("rejected-called-ae");
                    return;
                }
                if (!settings.allowedCallingAes().isEmpty() && !settings.allowedCallingAes().contains(caller)) {
                    AssociateRequest.reject(socket.getOutputStream(), 1, 1, AssociateRequest.CALLING_AE_NOT_RECOGNIZED);
                    LOG.warn("association from AE '{}' at {} rejected: calling AE title not in dicom.calling-ae-titles", caller, host);
                    count("rejected-calling-ae");
                    return;
                }
            }
            Association association = AssociationFactory.createNewAssociation(new ReplaySocket(socket, request.bytes()), settings.aeTitle(),
                    settings.maxPduLength(), 0, 0, policy);
            count("accepted");
            List<String> notAccepted = StoragePresentationContexts.takeNotAccepted();
            if (!notAccepted.isEmpty()) {
                LOG.warn("association from AE '{}' at {}: presentation contexts not accepted: {}", caller, host, String.join("; ", notAccepted));
            }
            LOG.debug("association from AE '{}' at {} accepted", caller, host);
            while (true) {
                handler = new StoreRequestHandler(spool);
                association.setReceivedDataHandler(handler);
                try {
                    association.waitForPDataPDUsUntilHandlerReportsDone();
                } catch (AReleaseException released) {
                    break;
                }
                switch (handler.kind) {
                    case ECHO -> association.send(handler.presentationContextId,
                            CommandSet.cEchoResponse(handler.sopClassUid, handler.messageId), null);
                    case STORE -> {
                        IntakeResult result;
                        try (Spool.SpooledInstance instance = handler.data.finish()) {
                            handler.data = null;
                            result = intake.accept(instance, Source.dimse(caller, host, handler.sopClassUid, handler.sopInstanceUid));
                        }
                        if (result.failed()) {
                            refused++;
                        } else if (result.reasonCode() != null) {
                            notProcessed++;
                        } else {
                            stored++;
                        }
                        association.send(handler.presentationContextId, CommandSet.cStoreResponse(handler.sopClassUid, handler.sopInstanceUid,
                                handler.messageId, result.dimseStatus(), result.failed() || DicomStatus.isWarning(result.dimseStatus())
                                        ? result.summary() : null), null);
                    }
                    default -> {
                        LOG.warn("AE '{}' at {} sent DIMSE command 0x{}, which a storage SCP does not serve: aborting", caller, host,
                                Integer.toHexString(handler.commandField));
                        association.abort();
                        return;
                    }
                }
            }
            LOG.info("association from AE '{}' at {} released after {} s: {} instance(s) stored, {} stored but not processed, {} refused",
                    caller, host, String.format(java.util.Locale.ROOT, "%.1f", (System.nanoTime() - start) / 1e9), stored, notProcessed, refused);
        } catch (SocketTimeoutException e) {
            LOG.warn("association from AE '{}' at {} closed: idle for more than {} s", caller, host, settings.idleTimeout().toSeconds());
        } catch (DicomNetworkException | IOException | RuntimeException e) {
            if (stopping) {
                LOG.info("association from AE '{}' at {} closed by shutdown", caller, host);
            } else {
                LOG.warn("association from AE '{}' at {} ended abnormally after {} stored, {} not processed, {} refused: {}", caller, host, stored,
                        notProcessed, refused, rootMessage(e));
            }
        } finally {
            if (handler != null && handler.data != null) {
                try {
                    handler.data.discard(); // an instance cut off by an abort: nothing of it is kept
                } catch (IOException e) {
                    LOG.debug("could not discard a partial instance: {}", e.toString());
                }
            }
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing anyway
            }
            open.remove(socket);
            active.decrementAndGet();
        }
    }

    /**
     * After answering an A-RELEASE-RQ, PixelMed waits a fixed 5 s (a private constant, its ARTIM) before closing the
     * connection, whether or not the sender has already closed it: every association would hold a worker thread 5 s
     * longer than needed. The sender has its A-RELEASE-RP by then, so half a second is plenty.
     */
    private static void shortenReleaseWait() {
        try {
            java.lang.reflect.Field f = Association.class.getDeclaredField("associationReleaseToTransportConnectionCloseTimeoutInMilliseconds");
            f.setAccessible(true);
            if (f.getInt(null) > RELEASE_WAIT_MS) {
                f.setInt(null, RELEASE_WAIT_MS);
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.info("cannot shorten PixelMed's wait after association release ({}); each association holds its thread 5 s longer", e.toString());
        }
    }

    private void count(String result) {
        Counter.builder("lilnet.ingest.dicom.associations").description("DICOM associations by result").tag("result", result)
                .register(metrics).increment();
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String m = t.getMessage();
        return t == e ? e.toString() : e.getMessage() + " (" + t.getClass().getSimpleName() + (m == null ? "" : ": " + m) + ")";
    }

    /** Stops accepting; waits up to the grace period for associations in progress, then closes them. */
    public void stop(Duration grace) {
        stopping = true;
        try {
            if (server != null) {
                server.close();
            }
        } catch (IOException ignored) {
            // closing anyway
        }
        workers.shutdown();
        try {
            if (!workers.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                for (Socket s : open) {
                    try {
                        s.close();
                    } catch (IOException ignored) {
                        // closing anyway
                    }
                }
                workers.shutdownNow();
                workers.awaitTermination(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        stop(Duration.ofSeconds(10));
    }
}

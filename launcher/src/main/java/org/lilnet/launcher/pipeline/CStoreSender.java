package org.lilnet.launcher.pipeline;

import com.pixelmed.dicom.SetOfDicomFiles;
import com.pixelmed.network.MultipleInstanceTransferStatusHandlerWithFileName;
import com.pixelmed.network.StorageSOPClassSCU;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * Sends DICOM files over C-STORE with PixelMed's storage SCU, in one association, as a scanner or a PACS would: no
 * dcmtk needed on the machine. Each file's outcome is the one its C-STORE response gave.
 */
public final class CStoreSender {

    /** What became of a send. */
    public record Report(int files, int stored, List<String> refused, List<String> unreadable, Duration took) {
        public boolean allStored() {
            return stored == files;
        }
    }

    private final String host;
    private final int port;
    private final String calledAeTitle;
    private final String callingAeTitle;

    public CStoreSender(String host, int port, String calledAeTitle, String callingAeTitle) {
        this.host = host;
        this.port = port;
        this.calledAeTitle = calledAeTitle;
        this.callingAeTitle = callingAeTitle;
    }

    public static CStoreSender to(LocalPipeline.IngestEndpoint ingest, String callingAeTitle) {
        return new CStoreSender(ingest.host(), ingest.dicomPort(), ingest.aeTitle(), callingAeTitle);
    }

    /** Sends the files in one association; {@code onFile} hears the count of files answered so far. */
    public Report send(List<Path> files, IntConsumer onFile) throws Exception {
        long t0 = System.nanoTime();
        SetOfDicomFiles set = new SetOfDicomFiles();
        List<String> unreadable = new ArrayList<>();
        for (Path f : files) {
            // PixelMed reads the SOP class and transfer syntax from the file to propose them; what it cannot read is not sent
            if (set.add(f.toString()) == null) {
                unreadable.add(f.toString());
            }
        }
        List<String> refused = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger stored = new AtomicInteger();
        AtomicInteger answered = new AtomicInteger();
        if (!set.isEmpty()) {
            StorageSOPClassSCU scu = new StorageSOPClassSCU(host, port, calledAeTitle, callingAeTitle, set, 0,
                    new MultipleInstanceTransferStatusHandlerWithFileName() {
                        @Override
                        public void updateStatus(int remaining, int completed, int failed, int warning, String sopInstanceUid,
                                                 String fileName, boolean success) {
                            if (success) {
                                stored.incrementAndGet();
                            } else {
                                refused.add(fileName);
                            }
                            onFile.accept(answered.incrementAndGet());
                        }
                    });
            if (scu.encounteredTrappedExceptions() && answered.get() < set.size()) {
                throw new IllegalStateException("C-STORE to " + calledAeTitle + "@" + host + ":" + port + " ended after " + answered.get()
                        + " of " + set.size() + " files (association failed; see the log)");
            }
        }
        return new Report(files.size(), stored.get(), List.copyOf(refused), List.copyOf(unreadable),
                Duration.ofNanos(System.nanoTime() - t0));
    }
}

package org.lilnet.launcher.replay;

import org.lilnet.common.blob.BlobStore;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The blob store of an in-process replay: DICOM files stay where they are and are read under the keys the
 * ingest-service would have stored them at; what the stages write (crops too large to travel inline) is kept in
 * memory. Nothing is written to disk.
 */
final class ReplayBlobStore implements BlobStore {

    private final Map<String, Path> files = new HashMap<>();
    private final Map<String, byte[]> written = new HashMap<>();

    /** Makes a file readable under a key. */
    void link(String key, Path file) {
        files.put(BlobStore.requireValidKey(key), file);
    }

    /** Forgets what the stages wrote (a study is done). */
    void clearWritten() {
        written.clear();
    }

    @Override
    public PutOutcome put(String key, byte[] content) {
        BlobStore.requireValidKey(key);
        if (exists(key)) {
            return PutOutcome.ALREADY_PRESENT;
        }
        written.put(key, content.clone());
        return PutOutcome.STORED;
    }

    @Override
    public PutOutcome put(String key, InputStream content) throws IOException {
        return put(key, content.readAllBytes());
    }

    @Override
    public InputStream open(String key) throws IOException {
        byte[] bytes = written.get(key);
        if (bytes != null) {
            return new ByteArrayInputStream(bytes);
        }
        return Files.newInputStream(fileOf(key));
    }

    @Override
    public boolean exists(String key) {
        return written.containsKey(key) || files.containsKey(key);
    }

    @Override
    public long size(String key) throws IOException {
        byte[] bytes = written.get(key);
        if (bytes != null) {
            return bytes.length;
        }
        return Files.size(fileOf(key));
    }

    /** The study file behind a key that was not written here. */
    private Path fileOf(String key) throws NoSuchFileException {
        Path file = files.get(key);
        if (file == null) {
            throw new NoSuchFileException(key);
        }
        return file;
    }

    @Override
    public void delete(String key) {
        written.remove(key);
        files.remove(key);
    }
}

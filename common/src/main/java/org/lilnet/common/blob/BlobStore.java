package org.lilnet.common.blob;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.regex.Pattern;

/**
 * Where DICOM files (and crops too large to travel inline) live: events carry keys, never pixels. Writes are
 * atomic: a reader sees a whole blob or none. The filesystem store is the default; an S3-compatible store can
 * implement the same interface.
 *
 * <p>Keys are relative paths of {@code [A-Za-z0-9._-]} segments joined by '/'.
 */
public interface BlobStore {

    /** What a put did. */
    enum PutOutcome {
        /** The blob was written. */
        STORED,
        /** A blob with this key was already there and was kept (the same instance sent twice is stored once). */
        ALREADY_PRESENT
    }

    /** Stores the bytes under the key unless the key exists; returns only once the blob is durable. */
    PutOutcome put(String key, byte[] content) throws IOException;

    /** Streams the content into the store under the key unless the key exists. */
    PutOutcome put(String key, InputStream content) throws IOException;

    /** Opens a blob; {@link java.nio.file.NoSuchFileException} when absent. */
    InputStream open(String key) throws IOException;

    default byte[] read(String key) throws IOException {
        try (InputStream in = open(key)) {
            return in.readAllBytes();
        }
    }

    /**
     * Reads a whole blob into {@code reuse} when it is large enough (from position 0; the returned buffer's limit is
     * the blob's size), otherwise into a new buffer, which the caller keeps for the next read. For readers of many
     * blobs of about the same size (a worker reading slices), which then allocate nothing per blob.
     *
     * @param reuse a buffer from an earlier read, or null
     */
    default ByteBuffer read(String key, ByteBuffer reuse) throws IOException {
        byte[] content = read(key);
        if (reuse == null || reuse.capacity() < content.length) {
            return ByteBuffer.wrap(content);
        }
        return reuse.clear().put(content).flip();
    }

    boolean exists(String key) throws IOException;

    /** Size in bytes; {@link java.nio.file.NoSuchFileException} when absent. */
    long size(String key) throws IOException;

    /** Removes a blob if present. */
    void delete(String key) throws IOException;

    /** What a key's segment may hold (compiled once: keys are checked on every read). */
    Pattern KEY_SEGMENT = Pattern.compile("[A-Za-z0-9._-]+");

    /** Checks that a key is well formed; throws {@link IllegalArgumentException} naming the problem. */
    static String requireValidKey(String key) {
        if (key == null || key.isEmpty() || key.length() > 1024) {
            throw new IllegalArgumentException("blob key must have 1 to 1024 characters");
        }
        for (String segment : key.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..") || !KEY_SEGMENT.matcher(segment).matches()) {
                throw new IllegalArgumentException("invalid blob key '" + key + "': segments must be [A-Za-z0-9._-]+, not '.' or '..'");
            }
        }
        return key;
    }
}

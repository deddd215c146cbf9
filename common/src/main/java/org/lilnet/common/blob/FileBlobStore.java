package org.lilnet.common.blob;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.UUID;

/**
 * Blob store on a filesystem (a local disk or a shared volume). A blob is first written to a temporary file in
 * {@code .incoming/} on the same filesystem, flushed to disk, then linked into place atomically: a crash
 * leaves at most a temporary file, never a partial blob under its key. Leftover temporaries are removed at start.
 */
public final class FileBlobStore implements BlobStore {

    private static final String INCOMING = ".incoming";

    private final Path root;
    private final Path incoming;

    public FileBlobStore(Path root) throws IOException {
        this.root = root.toAbsolutePath().normalize();
        this.incoming = this.root.resolve(INCOMING);
        Files.createDirectories(incoming);
        try (var leftovers = Files.list(incoming)) {
            for (Path p : (Iterable<Path>) leftovers::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }

    public Path root() {
        return root;
    }

    @Override
    public PutOutcome put(String key, byte[] content) throws IOException {
        return put(key, out -> out.write(content));
    }

    @Override
    public PutOutcome put(String key, InputStream content) throws IOException {
        return put(key, content::transferTo);
    }

    private interface Writer {
        void writeTo(OutputStream out) throws IOException;
    }

    private PutOutcome put(String key, Writer writer) throws IOException {
        Path target = pathOf(key);
        if (Files.exists(target)) {
            return PutOutcome.ALREADY_PRESENT;
        }
        Path temp = incoming.resolve(UUID.randomUUID() + ".part");
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                 OutputStream out = java.nio.channels.Channels.newOutputStream(channel)) {
                writer.writeTo(out);
                out.flush();
                channel.force(true);
            }
            Files.createDirectories(target.getParent());
            try {
                // a hard link fails when the key exists, so two writers of the same key never overwrite each other
                Files.createLink(target, temp);
                return PutOutcome.STORED;
            } catch (FileAlreadyExistsException e) {
                return PutOutcome.ALREADY_PRESENT;
            } catch (UnsupportedOperationException | IOException linkFailed) {
                if (Files.exists(target)) {
                    return PutOutcome.ALREADY_PRESENT;
                }
                moveAtomically(temp, target);
                return PutOutcome.STORED;
            }
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private static void moveAtomically(Path temp, Path target) throws IOException {
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("the blob store's filesystem cannot move files atomically: " + target, e);
        }
    }

    @Override
    public InputStream open(String key) throws IOException {
        return Files.newInputStream(pathOf(key));
    }

    /** The whole file in one read of its known size (the stream's readAllBytes grows and copies its buffer: 3-4x slower for a slice). */
    @Override
    public byte[] read(String key) throws IOException {
        return Files.readAllBytes(pathOf(key));
    }

    /**
     * The file straight into the buffer: a direct buffer (what this store allocates) is filled by the kernel with no
     * copy through the JVM (a heap array is filled through a temporary native buffer, then copied). A new buffer gets
     * room to spare, so that slightly larger blobs later fit too.
     */
    @Override
    public ByteBuffer read(String key, ByteBuffer reuse) throws IOException {
        try (FileChannel channel = FileChannel.open(pathOf(key), StandardOpenOption.READ)) {
            long size = channel.size();
            if (size > Integer.MAX_VALUE - READ_SPARE) {
                throw new IOException("blob " + key + " has " + size + " bytes: too large to read into memory");
            }
            ByteBuffer buffer = reuse != null && reuse.capacity() >= size ? reuse.clear()
                    : ByteBuffer.allocateDirect((int) size + READ_SPARE);
            buffer.limit((int) size);
            while (buffer.hasRemaining()) {
                if (channel.read(buffer) < 0) {
                    throw new java.io.EOFException("blob " + key + " ended after " + buffer.position() + " of " + size + " bytes");
                }
            }
            return buffer.flip();
        }
    }

    /** Room a newly allocated read buffer has beyond its first blob. */
    private static final int READ_SPARE = 64 * 1024;

    @Override
    public boolean exists(String key) {
        return Files.exists(pathOf(key));
    }

    @Override
    public long size(String key) throws IOException {
        return Files.size(pathOf(key));
    }

    @Override
    public void delete(String key) throws IOException {
        Files.deleteIfExists(pathOf(key));
    }

    /** The file of a key (for tools and tests; services go through the interface). */
    public Path pathOf(String key) {
        BlobStore.requireValidKey(key);
        if (key.equals(INCOMING) || key.startsWith(INCOMING + "/")) {
            throw new IllegalArgumentException("blob key '" + key + "' is reserved");
        }
        return root.resolve(key);
    }
}

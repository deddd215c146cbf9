package org.lilnet.ingest.intake;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;

/**
 * Where received bytes wait while we check them, before they go to the blob store: in memory up to a limit, in a
 * temporary file beyond it, so that neither a large instance nor many concurrent ones fill the heap. Instances above
 * the maximum size are counted but not kept ({@link Writer#overflowed()}), and refused.
 */
public final class Spool {

    private static final int BLOCK = 64 * 1024;

    private final Path directory;
    private final long memoryLimit;
    private final long maxSize;

    public Spool(Path directory, long memoryLimit, long maxSize) throws IOException {
        this.directory = directory.toAbsolutePath().normalize();
        this.memoryLimit = memoryLimit;
        this.maxSize = maxSize;
        Files.createDirectories(this.directory);
        try (var leftovers = Files.list(this.directory)) {
            for (Path p : (Iterable<Path>) leftovers::iterator) {
                if (p.getFileName().toString().endsWith(".spool")) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    public Path directory() {
        return directory;
    }

    public long maxSize() {
        return maxSize;
    }

    public Writer writer() {
        return new Writer();
    }

    /** Takes the bytes of one instance; {@link #finish()} hands them over. */
    public final class Writer extends OutputStream {
        private final List<byte[]> blocks = new ArrayList<>();
        private int used = BLOCK;
        private long size;
        private Path file;
        private OutputStream fileOut;
        private boolean overflowed;
        private boolean finished;

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (finished) {
                throw new IOException("spool already finished");
            }
            size += len;
            if (overflowed) {
                return;
            }
            if (size > maxSize) {
                overflowed = true;
                discard();
                return;
            }
            if (fileOut == null && size > memoryLimit) {
                file = directory.resolve(UUID.randomUUID() + ".spool");
                fileOut = new java.io.BufferedOutputStream(Files.newOutputStream(file), BLOCK);
                for (int i = 0; i < blocks.size(); i++) {
                    fileOut.write(blocks.get(i), 0, i == blocks.size() - 1 ? used : BLOCK);
                }
                blocks.clear();
            }
            if (fileOut != null) {
                fileOut.write(b, off, len);
                return;
            }
            while (len > 0) {
                if (used == BLOCK) {
                    blocks.add(new byte[BLOCK]);
                    used = 0;
                }
                int n = Math.min(len, BLOCK - used);
                System.arraycopy(b, off, blocks.get(blocks.size() - 1), used, n);
                used += n;
                off += n;
                len -= n;
            }
        }

        /** More than the maximum size arrived: the bytes were dropped. */
        public boolean overflowed() {
            return overflowed;
        }

        public long size() {
            return size;
        }

        public SpooledInstance finish() throws IOException {
            finished = true;
            if (fileOut != null) {
                fileOut.close();
                fileOut = null;
            }
            List<byte[]> memory = List.copyOf(blocks);
            int lastUsed = used;
            return new SpooledInstance(size, overflowed, file, memory, lastUsed);
        }

        /** Drops what was received (an aborted transfer). */
        public void discard() throws IOException {
            blocks.clear();
            if (fileOut != null) {
                fileOut.close();
                fileOut = null;
            }
            if (file != null) {
                Files.deleteIfExists(file);
                file = null;
            }
        }

        @Override
        public void close() throws IOException {
            if (!finished) {
                discard();
            }
        }
    }

    /** The bytes of one received instance; {@link #close()} frees them. */
    public static final class SpooledInstance implements AutoCloseable {
        private final long size;
        private final boolean overflowed;
        private final Path file;
        private final List<byte[]> blocks;
        private final int lastUsed;
        private final boolean owned;

        SpooledInstance(long size, boolean overflowed, Path file, List<byte[]> blocks, int lastUsed) {
            this(size, overflowed, file, blocks, lastUsed, true);
        }

        private SpooledInstance(long size, boolean overflowed, Path file, List<byte[]> blocks, int lastUsed, boolean owned) {
            this.size = size;
            this.overflowed = overflowed;
            this.file = file;
            this.blocks = blocks;
            this.lastUsed = lastUsed;
            this.owned = owned;
        }

        /** For tests and tools: bytes already in hand. */
        public static SpooledInstance of(byte[] bytes) {
            return new SpooledInstance(bytes.length, false, null, List.of(bytes), bytes.length);
        }

        /** An existing file, read in place and left alone on close. */
        public static SpooledInstance view(Path file) throws IOException {
            return new SpooledInstance(Files.size(file), false, file, List.of(), 0, false);
        }

        public long size() {
            return size;
        }

        public boolean overflowed() {
            return overflowed;
        }

        /** The bytes in one array when they are in memory (one write to the blob store), else null. */
        public byte[] bytesIfInMemory() {
            if (overflowed || file != null) {
                return null;
            }
            byte[] out = new byte[(int) size];
            int at = 0;
            for (int i = 0; i < blocks.size(); i++) {
                int n = i == blocks.size() - 1 ? lastUsed : blocks.get(i).length;
                System.arraycopy(blocks.get(i), 0, out, at, n);
                at += n;
            }
            return out;
        }

        /** A fresh stream over the bytes (may be called several times). */
        public InputStream open() throws IOException {
            if (overflowed) {
                throw new IOException("the instance exceeded the maximum size and was not kept");
            }
            if (file != null) {
                return new java.io.BufferedInputStream(Files.newInputStream(file), BLOCK);
            }
            List<InputStream> parts = new ArrayList<>();
            for (int i = 0; i < blocks.size(); i++) {
                parts.add(new ByteArrayInputStream(blocks.get(i), 0, i == blocks.size() - 1 ? lastUsed : blocks.get(i).length));
            }
            return new java.io.BufferedInputStream(new SequenceInputStream(Collections.enumeration(parts)), BLOCK);
        }

        @Override
        public void close() throws IOException {
            if (file != null && owned) {
                Files.deleteIfExists(file);
            }
        }
    }
}

package org.lilnet.common.blob;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FileBlobStoreTest {

    @TempDir
    Path root;

    @Test
    void storesAndReadsBack() throws IOException {
        FileBlobStore store = new FileBlobStore(root);

        assertThat(store.put("studies/1.2.3/a.dcm", new byte[] {1, 2, 3})).isEqualTo(BlobStore.PutOutcome.STORED);
        assertThat(store.read("studies/1.2.3/a.dcm")).containsExactly(1, 2, 3);
        assertThat(store.size("studies/1.2.3/a.dcm")).isEqualTo(3);
        assertThat(store.exists("studies/1.2.3/a.dcm")).isTrue();
    }

    @Test
    void theSameKeyTwiceIsStoredOnce() throws IOException {
        FileBlobStore store = new FileBlobStore(root);
        store.put("k/x", new byte[] {1});

        assertThat(store.put("k/x", new byte[] {9, 9})).isEqualTo(BlobStore.PutOutcome.ALREADY_PRESENT);
        assertThat(store.read("k/x")).containsExactly(1);
    }

    @Test
    void concurrentWritersOfOneKeyStoreItExactlyOnce() throws Exception {
        FileBlobStore store = new FileBlobStore(root);
        var pool = Executors.newFixedThreadPool(8);
        List<Future<BlobStore.PutOutcome>> outcomes = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            byte[] content = new byte[100_000];
            java.util.Arrays.fill(content, (byte) i);
            outcomes.add(pool.submit((Callable<BlobStore.PutOutcome>) () -> store.put("same/key", content)));
        }
        int stored = 0;
        for (var f : outcomes) {
            stored += f.get() == BlobStore.PutOutcome.STORED ? 1 : 0;
        }
        pool.shutdown();

        assertThat(stored).isEqualTo(1);
        byte[] kept = store.read("same/key");
        assertThat(kept).hasSize(100_000);
        for (byte b : kept) {
            assertThat(b).isEqualTo(kept[0]);
        }
    }

    @Test
    void aWriteThatFailsHalfwayLeavesNothingUnderTheKey() throws IOException {
        FileBlobStore store = new FileBlobStore(root);
        InputStream failing = new InputStream() {
            int n;

            @Override
            public int read() throws IOException {
                if (n++ > 5000) {
                    throw new IOException("connection reset");
                }
                return 7;
            }
        };

        assertThatThrownBy(() -> store.put("half/written", failing)).hasMessage("connection reset");
        assertThat(store.exists("half/written")).isFalse();
        try (var left = Files.list(root.resolve(".incoming"))) {
            assertThat(left).isEmpty();
        }
    }

    @Test
    void leftoverTemporariesAreRemovedAtStart() throws IOException {
        Files.createDirectories(root.resolve(".incoming"));
        Files.write(root.resolve(".incoming/crash.part"), new byte[10]);

        new FileBlobStore(root);

        try (var left = Files.list(root.resolve(".incoming"))) {
            assertThat(left).isEmpty();
        }
    }

    @Test
    void streamsAreStored() throws IOException {
        FileBlobStore store = new FileBlobStore(root);
        store.put("s", new ByteArrayInputStream("hello".getBytes()));
        assertThat(new String(store.read("s"))).isEqualTo("hello");
    }

    @Test
    void keysThatEscapeTheRootAreRefused() throws IOException {
        FileBlobStore store = new FileBlobStore(root);

        for (String bad : new String[] {"../etc/passwd", "/abs", "a//b", "a/./b", "", "a b", ".incoming/x"}) {
            assertThatThrownBy(() -> store.put(bad, new byte[1])).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void readingAMissingKeySaysSo() throws IOException {
        FileBlobStore store = new FileBlobStore(root);
        assertThatThrownBy(() -> store.read("nope")).isInstanceOf(NoSuchFileException.class);
        assertThatThrownBy(() -> store.read("nope", null)).isInstanceOf(NoSuchFileException.class);
    }

    @Test
    void readsIntoTheBufferItIsGivenWhenTheBlobFitsAndIntoALargerNewOneWhenNot() throws IOException {
        FileBlobStore store = new FileBlobStore(root);
        byte[] small = bytes(1000, 1);
        byte[] large = bytes(200_000, 2);
        store.put("a", small);
        store.put("b", large);

        ByteBuffer first = store.read("a", null);
        assertThat(contentOf(first)).isEqualTo(small);
        ByteBuffer second = store.read("b", first);
        assertThat(second).as("too small to reuse").isNotSameAs(first);
        assertThat(contentOf(second)).isEqualTo(large);
        ByteBuffer third = store.read("a", second);
        assertThat(third).as("large enough: reused").isSameAs(second);
        assertThat(contentOf(third)).as("only the blob, none of the longer one read before").isEqualTo(small);
        // the interface's own way (a store without a faster one) gives the same
        BlobStore plain = new BlobStore() {
            public PutOutcome put(String key, byte[] content) { throw new UnsupportedOperationException(); }
            public PutOutcome put(String key, InputStream content) { throw new UnsupportedOperationException(); }
            public InputStream open(String key) throws IOException { return store.open(key); }
            public boolean exists(String key) { return store.exists(key); }
            public long size(String key) throws IOException { return store.size(key); }
            public void delete(String key) { throw new UnsupportedOperationException(); }
        };
        ByteBuffer viaDefault = plain.read("b", null);
        assertThat(contentOf(viaDefault)).isEqualTo(large);
        assertThat(plain.read("a", viaDefault)).isSameAs(viaDefault).satisfies(b -> assertThat(contentOf(b)).isEqualTo(small));
    }

    private static byte[] bytes(int n, int seed) {
        byte[] out = new byte[n];
        new java.util.Random(seed).nextBytes(out);
        return out;
    }

    private static byte[] contentOf(ByteBuffer buffer) {
        assertThat(buffer.position()).isZero();
        byte[] out = new byte[buffer.remaining()];
        buffer.duplicate().get(out);
        return out;
    }
}

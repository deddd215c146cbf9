package org.lilnet.ingest.web;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MultipartReaderTest {

    static byte[] body(String boundary, String preamble, byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(preamble.getBytes(StandardCharsets.US_ASCII));
        for (byte[] p : parts) {
            out.writeBytes(("--" + boundary + "\r\nContent-Type: application/dicom\r\nX-Note: a\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.writeBytes(p);
            out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        out.writeBytes(("--" + boundary + "--\r\nepilogue").getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }

    /** Hands out at most n bytes per read, to cut delimiters across reads. */
    static InputStream trickle(byte[] bytes, int n) {
        return new FilterInputStream(new ByteArrayInputStream(bytes)) {
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                return super.read(b, off, Math.min(len, n));
            }
        };
    }

    static List<byte[]> readAll(MultipartReader reader) throws IOException {
        List<byte[]> out = new ArrayList<>();
        MultipartReader.Part p;
        while ((p = reader.next()) != null) {
            assertThat(p.contentType()).isEqualTo("application/dicom");
            assertThat(p.headers()).containsEntry("x-note", "a");
            out.add(p.content().readAllBytes());
        }
        return out;
    }

    @Test
    void readsPartsWhateverHowTheBytesArrive() throws Exception {
        Random random = new Random(3);
        byte[] big = new byte[300_000];
        random.nextBytes(big);
        byte[] withCrLf = "line\r\n--not the boundary\r\n--bound".getBytes(StandardCharsets.US_ASCII);
        byte[] body = body("bound-ary", "preamble to ignore\r\n", big, new byte[0], withCrLf);

        for (int chunk : new int[] {1, 7, 4096, 1 << 20}) {
            List<byte[]> parts = readAll(new MultipartReader(trickle(body, chunk), "bound-ary"));

            assertThat(parts).as("read %d bytes at a time", chunk).hasSize(3);
            assertThat(parts.get(0)).isEqualTo(big);
            assertThat(parts.get(1)).isEmpty();
            assertThat(parts.get(2)).isEqualTo(withCrLf);
        }
    }

    @Test
    void skipsWhatTheCallerDidNotRead() throws Exception {
        byte[] body = body("b", "", "first".getBytes(), "second".getBytes());
        MultipartReader reader = new MultipartReader(new ByteArrayInputStream(body), "b");

        reader.next();
        MultipartReader.Part second = reader.next();

        assertThat(new String(second.content().readAllBytes())).isEqualTo("second");
        assertThat(reader.next()).isNull();
    }

    @Test
    void aBodyCutInsideAPartIsMalformed() throws Exception {
        byte[] whole = body("b", "", new byte[1000]);
        byte[] cut = java.util.Arrays.copyOf(whole, 600);
        MultipartReader reader = new MultipartReader(new ByteArrayInputStream(cut), "b");

        MultipartReader.Part p = reader.next();

        assertThatThrownBy(() -> p.content().readAllBytes()).isInstanceOf(MultipartReader.MalformedMultipart.class)
                .hasMessageContaining("without a closing delimiter");
    }

    @Test
    void aWrongBoundaryIsMalformed() {
        byte[] body = body("b", "", "x".getBytes());

        assertThatThrownBy(() -> new MultipartReader(new ByteArrayInputStream(body), "other").next())
                .isInstanceOf(MultipartReader.MalformedMultipart.class).hasMessageContaining("wrong boundary");
    }

    @Test
    void parsesContentTypeParameters() {
        ContentType t = ContentType.parse("Multipart/Related; type=\"application/dicom\"; boundary=\"a;b=c\"");

        assertThat(t.mediaType()).isEqualTo("multipart/related");
        assertThat(t.parameter("type")).isEqualTo("application/dicom");
        assertThat(t.parameter("boundary")).isEqualTo("a;b=c");
    }
}

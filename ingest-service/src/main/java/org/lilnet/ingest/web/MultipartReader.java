package org.lilnet.ingest.web;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Reads a multipart body (RFC 2046) part by part from a stream, never holding more than a small buffer: each part's
 * content is an input stream that ends at the next delimiter. Parts must be read in order.
 */
public final class MultipartReader {

    private static final int BUFFER = 64 * 1024;
    private static final int MAX_HEADER_BYTES = 16 * 1024;

    /** A part: its headers (names in lower case) and its content. */
    public record Part(Map<String, String> headers, InputStream content) {
        public String contentType() {
            return headers.getOrDefault("content-type", "");
        }
    }

    /** The body does not follow the multipart syntax. */
    public static final class MalformedMultipart extends IOException {
        private static final long serialVersionUID = 1L;

        public MalformedMultipart(String message) {
            super(message);
        }
    }

    private final InputStream in;
    private final byte[] delimiter; // CRLF "--" boundary
    private final byte[] buffer = new byte[BUFFER];
    private int start;
    private int end;
    private boolean eof;
    private boolean finished;
    /** No delimiter starts in the buffer before this index (so each byte is scanned once). */
    private int scanned;
    private PartStream current;

    public MultipartReader(InputStream in, String boundary) {
        this.in = in;
        this.delimiter = ("\r\n--" + boundary).getBytes(StandardCharsets.US_ASCII);
        // the first delimiter may come without the CRLF before it: pretend it was there
        buffer[0] = '\r';
        buffer[1] = '\n';
        end = 2;
    }

    /** The next part, or null after the closing delimiter. */
    public Part next() throws IOException {
        if (finished) {
            return null;
        }
        if (current == null) {
            skipPreamble();
        } else {
            current.transferTo(OutputStreamNull.INSTANCE); // drain what the caller did not read
        }
        // after a delimiter: "--" closes, CRLF opens a part (transport padding spaces allowed before it)
        fill(2);
        if (buffered() >= 2 && buffer[start] == '-' && buffer[start + 1] == '-') {
            finished = true;
            return null;
        }
        while (true) {
            fill(1);
            if (buffered() == 0) {
                throw new MalformedMultipart("the body ends after a delimiter, without the closing delimiter");
            }
            if (buffer[start] == ' ' || buffer[start] == '\t') {
                start++;
            } else {
                break;
            }
        }
        expect("\r\n");
        Map<String, String> headers = readHeaders();
        current = new PartStream();
        return new Part(headers, current);
    }

    private void skipPreamble() throws IOException {
        while (true) {
            int at = indexOfDelimiter();
            if (at >= 0) {
                start = at + delimiter.length;
                return;
            }
            if (eof && buffered() < delimiter.length) {
                throw new MalformedMultipart("no multipart delimiter in the body (wrong boundary?)");
            }
            start = Math.max(start, end - delimiter.length + 1);
            compactAndFill();
        }
    }

    private Map<String, String> readHeaders() throws IOException {
        Map<String, String> headers = new LinkedHashMap<>();
        int total = 0;
        while (true) {
            String line = readLine();
            total += line.length() + 2;
            if (total > MAX_HEADER_BYTES) {
                throw new MalformedMultipart("part headers longer than " + MAX_HEADER_BYTES + " bytes");
            }
            if (line.isEmpty()) {
                return headers;
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new MalformedMultipart("malformed part header line: " + line);
            }
            headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
        }
    }

    private String readLine() throws IOException {
        StringBuilder line = new StringBuilder();
        while (true) {
            fill(1);
            if (buffered() == 0) {
                throw new MalformedMultipart("the body ends inside the part headers");
            }
            byte b = buffer[start++];
            if (b == '\r') {
                fill(1);
                if (buffered() > 0 && buffer[start] == '\n') {
                    start++;
                    return line.toString();
                }
                throw new MalformedMultipart("a part header line does not end with CRLF");
            }
            line.append((char) (b & 0xFF));
            if (line.length() > MAX_HEADER_BYTES) {
                throw new MalformedMultipart("part header line too long");
            }
        }
    }

    private void expect(String text) throws IOException {
        byte[] b = text.getBytes(StandardCharsets.US_ASCII);
        fill(b.length);
        for (byte x : b) {
            if (buffered() == 0 || buffer[start] != x) {
                throw new MalformedMultipart("expected CRLF after a multipart delimiter");
            }
            start++;
        }
    }

    private int buffered() {
        return end - start;
    }

    /** Reads until at least n bytes are buffered or the stream ends. */
    private void fill(int n) throws IOException {
        while (buffered() < n && !eof) {
            compactAndFill();
        }
    }

    private void compactAndFill() throws IOException {
        if (start > 0) {
            System.arraycopy(buffer, start, buffer, 0, end - start);
            end -= start;
            scanned = Math.max(0, scanned - start);
            start = 0;
        }
        if (end == buffer.length) {
            return;
        }
        int n = in.read(buffer, end, buffer.length - end);
        if (n < 0) {
            eof = true;
        } else {
            end += n;
        }
    }

    private int indexOfDelimiter() {
        int from = Math.max(start, scanned);
        outer:
        for (int i = from; i <= end - delimiter.length; i++) {
            for (int j = 0; j < delimiter.length; j++) {
                if (buffer[i + j] != delimiter[j]) {
                    continue outer;
                }
            }
            scanned = i;
            return i;
        }
        scanned = Math.max(from, end - delimiter.length + 1);
        return -1;
    }

    /** A part's content: bytes up to the next delimiter. */
    private final class PartStream extends InputStream {
        private boolean done;

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (done) {
                return -1;
            }
            if (len == 0) {
                return 0;
            }
            while (true) {
                int at = indexOfDelimiter();
                if (at >= 0) {
                    if (at == start) {
                        start += delimiter.length;
                        done = true;
                        return -1;
                    }
                    int n = Math.min(len, at - start);
                    System.arraycopy(buffer, start, b, off, n);
                    start += n;
                    return n;
                }
                // bytes that cannot start a delimiter can be handed out
                int safe = buffered() - (delimiter.length - 1);
                if (safe > 0) {
                    int n = Math.min(len, safe);
                    System.arraycopy(buffer, start, b, off, n);
                    start += n;
                    return n;
                }
                if (eof) {
                    throw new MalformedMultipart("the body ends inside a part, without a closing delimiter");
                }
                compactAndFill();
            }
        }
    }

    /** Discards bytes. */
    private static final class OutputStreamNull extends java.io.OutputStream {
        static final OutputStreamNull INSTANCE = new OutputStreamNull();

        @Override
        public void write(int b) {
        }

        @Override
        public void write(byte[] b, int off, int len) {
        }
    }
}

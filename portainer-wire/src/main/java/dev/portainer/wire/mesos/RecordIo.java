package dev.portainer.wire.mesos;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/** Mesos's RecordIO framing of streamed events: the record's length in decimal, a newline, the record's bytes. */
public final class RecordIo {
    /** Larger records than this are refused rather than allocated: no Mesos event comes near it. */
    static final int MAX_RECORD = 64 * 1024 * 1024;

    private RecordIo() {
    }

    /** Reads one record; returns null at a clean end of stream (between records). */
    public static byte[] read(InputStream in) throws IOException {
        long length = 0;
        int digits = 0;
        while (true) {
            int c = in.read();
            if (c == -1) {
                if (digits == 0) {
                    return null;
                }
                throw new EOFException("RecordIO stream ended inside a record header");
            }
            if (c == '\n') {
                break;
            }
            if (c < '0' || c > '9') {
                throw new IOException("RecordIO header is not a decimal length: unexpected byte " + c);
            }
            length = length * 10 + (c - '0');
            if (++digits > 10 || length > MAX_RECORD) {
                throw new IOException("RecordIO record too large (" + length + " bytes or more)");
            }
        }
        if (digits == 0) {
            throw new IOException("RecordIO header is empty");
        }
        byte[] record = in.readNBytes((int) length);
        if (record.length != length) {
            throw new EOFException("RecordIO stream ended after " + record.length + " of " + length + " bytes");
        }
        return record;
    }

    /** Writes one record and flushes, so that a streamed event leaves at once. */
    public static void write(OutputStream out, byte[] record) throws IOException {
        out.write(Integer.toString(record.length).getBytes(StandardCharsets.US_ASCII));
        out.write('\n');
        out.write(record);
        out.flush();
    }
}

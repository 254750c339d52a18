package dev.portainer.core.staging;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Counts the bytes of one upload and reports a line every 10% with bytes, rate and time left; small uploads
 * (under {@link #THRESHOLD}) stay silent because they take no noticeable time.
 */
final class UploadProgress extends FilterOutputStream {
    static final long THRESHOLD = 4L * 1024 * 1024;

    private final String name;
    private final long total;
    private final LongSupplier nanoTime;
    private final Consumer<String> sink;
    private final long start;
    private long written;
    private int reportedTenths;

    UploadProgress(OutputStream out, String name, long total, LongSupplier nanoTime, Consumer<String> sink) {
        super(out);
        this.name = name;
        this.total = total;
        this.nanoTime = nanoTime;
        this.sink = sink;
        this.start = nanoTime.getAsLong();
    }

    @Override
    public void write(int b) throws IOException {
        out.write(b);
        advance(1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        // FilterOutputStream would write byte by byte.
        out.write(b, off, len);
        advance(len);
    }

    long written() {
        return written;
    }

    private void advance(long n) {
        written += n;
        if (total < THRESHOLD) {
            return;
        }
        int tenths = (int) Math.min(10, written * 10 / total);
        if (tenths > reportedTenths) {
            reportedTenths = tenths;
            sink.accept(line());
        }
    }

    private String line() {
        double seconds = Math.max(1e-3, (nanoTime.getAsLong() - start) / 1e9);
        double rate = written / seconds;
        String head = String.format(Locale.ROOT, "Uploading %s: %3d%% (%s of %s) at %s/s", name,
                reportedTenths * 10, mb(written), mb(total), mb((long) rate));
        if (written >= total) {
            return head + String.format(Locale.ROOT, ", done in %.1f s", seconds);
        }
        return head + String.format(Locale.ROOT, ", %d s left", (long) Math.ceil((total - written) / rate));
    }

    private static String mb(long bytes) {
        return String.format(Locale.ROOT, "%.1f MB", bytes / (1024.0 * 1024));
    }
}

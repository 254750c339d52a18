package dev.portainer.wire;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A build context read while the scheduler still packs it ({@link BuildSpec#contextGrowing}), so that Docker gets the
 * context as it is written, as {@code docker build} sends a context while it walks the tree. The packer writes
 * {@code <file>.part} and renames it to {@code <file>} once complete; this stream reads whichever it finds and waits
 * at the end of what is written so far. Only the renamed file's end is the end of the stream: a reader never hands
 * Docker a truncated archive as if it were whole (a tar cut between two entries reads as a smaller valid one). A
 * {@code .part} removed without becoming the file means the packing failed: the read fails.
 *
 * <p>Not thread-safe, like any stream; {@link #close} and the {@code stopped} test may come from another thread and end
 * a wait at once.
 */
public final class GrowingContext extends InputStream {
    /** Between two looks at a file that has not grown: a packer writes 64 KB at a time, at ~100–200 MB/s. */
    static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private final Path file;
    private final Path partial;
    private final BooleanSupplier stopped;
    private FileChannel channel;
    /** Whether {@link #channel} reads the renamed, complete file: its end is the archive's. */
    private boolean complete;
    private long position;
    private volatile boolean closed;

    private GrowingContext(Path file, BooleanSupplier stopped) {
        this.file = file;
        this.partial = BuildSpec.partialContextFile(file);
        this.stopped = stopped;
    }

    /**
     * The context at {@code file} (complete) or {@code <file>.part} (being written); if neither is there yet, the
     * first read waits for one.
     *
     * @param stopped true once the build is cancelled: a wait then ends with an exception
     */
    public static GrowingContext open(Path file, BooleanSupplier stopped) {
        return new GrowingContext(file.toAbsolutePath().normalize(), Objects.requireNonNull(stopped, "stopped"));
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return 0;
        }
        while (true) {
            if (closed) {
                throw new IOException("Stream closed");
            }
            if (channel == null && !openWhatIsWritten()) {
                pause();
                continue;
            }
            int n = channel.read(ByteBuffer.wrap(b, off, len));
            if (n > 0) {
                position += n;
                return n;
            }
            if (complete) {
                long size = channel.size();
                if (position != size) {
                    throw new IOException("The build context " + file + " changed while it was read (" + position
                            + " of " + size + " bytes)");
                }
                return -1;
            }
            // At the end of what is written. The packer closes the file before renaming it: once the file is there,
            // what is left to read is the rest of it.
            if (Files.exists(file)) {
                complete = true;
            } else if (!Files.exists(partial)) {
                if (Files.exists(file)) {
                    complete = true; // renamed between the two looks
                } else {
                    throw new IOException("The build context " + file + " stopped being written before it was "
                            + "complete (" + position + " bytes): its packing failed or the build was stopped");
                }
            } else {
                pause();
            }
        }
    }

    /** Opens the complete file, else the partial one; false if the packer has not started writing either. */
    private boolean openWhatIsWritten() throws IOException {
        for (Path candidate : new Path[] {file, partial, file}) {
            try {
                channel = FileChannel.open(candidate, StandardOpenOption.READ);
                complete = candidate == file;
                return true;
            } catch (NoSuchFileException e) {
                // not (or no longer) under this name: the next
            }
        }
        return false;
    }

    private void pause() throws IOException {
        if (stopped.getAsBoolean()) {
            throw new IOException("The build was cancelled while its context was being packed");
        }
        try {
            TimeUnit.NANOSECONDS.sleep(POLL_NANOS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("Interrupted while the build context " + file + " was being packed");
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        FileChannel open = channel;
        if (open != null) {
            open.close();
        }
    }
}

package dev.portainer.core.context;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * A gzip stream (RFC 1952, one member) deflated in independent blocks on several threads, as pigz does, and only
 * where deflate pays: each block of {@value #BLOCK_SIZE} bytes is classified by pieces of {@value #PIECE} bytes,
 * a run of pieces whose bytes look random (order-0 entropy above {@value #STORE_ABOVE_BITS} bits per byte: compressed
 * or encrypted files, where deflate level 1 runs at a tenth of its speed on text to save 1–2 %) is written as stored
 * deflate blocks, any other run is deflated, and stored after all if that saved less than 3 %. Each deflated run
 * starts a fresh deflate stream and ends with a sync flush, so runs are independent and byte-aligned, and their
 * concatenation is one valid deflate stream; the CRC-32 is taken in order on the writing thread.
 *
 * <p>The bytes depend on the data and the level only, never on the number of threads or their timing: equal input
 * gives equal output. Memory is bounded: at most {@code threads + 2} blocks exist at once. With less than one block
 * of data no thread is started.
 */
final class BlockGzipOutputStream extends OutputStream {
    /** Input bytes per block, the unit of parallel work. */
    static final int BLOCK_SIZE = 1 << 20;
    /** Input bytes per piece, the unit of the store-or-deflate decision. */
    static final int PIECE = 4096;
    /** Pieces above this entropy (bits per byte) are stored: deflate could save at most ~10 % of them. */
    static final double STORE_ABOVE_BITS = 7.2;
    /** A deflated run that saved less than this fraction is stored instead. */
    static final double MIN_SAVING = 0.03;

    private static final int STORED_MAX = 65535;
    /** n·log2(n) for every count a piece can have, so that the entropy of a piece costs no logarithm. */
    private static final double[] N_LOG2_N = new double[PIECE + 1];

    static {
        for (int n = 1; n <= PIECE; n++) {
            N_LOG2_N[n] = n * (Math.log(n) / Math.log(2));
        }
    }

    private final OutputStream out;
    private final int level;
    private final int threads;
    private final ArrayDeque<Future<Block>> pending = new ArrayDeque<>();
    private final ArrayDeque<Block> free = new ArrayDeque<>();
    private final CRC32 crc = new CRC32();
    private ExecutorService pool;
    private Block current;
    private long total;
    private boolean closed;

    /**
     * @param out     where the gzip stream goes; closed by {@link #close()}
     * @param level   deflate level, 0 (everything stored) to 9
     * @param threads how many threads may deflate at once
     */
    BlockGzipOutputStream(OutputStream out, int level, int threads) throws IOException {
        if (level < 0 || level > 9) {
            throw new IllegalArgumentException("compression level must be 0..9, got " + level);
        }
        this.out = out;
        this.level = level;
        this.threads = Math.max(1, threads);
        this.current = new Block();
        // No file name and no time: equal trees give equal bytes. XFL says "fastest" or "best" as gzip does.
        int xfl = level == 1 ? 4 : level == 9 ? 2 : 0;
        out.write(new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, (byte) xfl, (byte) 0xff});
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        if (closed) {
            throw new IOException("stream closed");
        }
        while (len > 0) {
            int n = Math.min(len, BLOCK_SIZE - current.length);
            System.arraycopy(b, off, current.raw, current.length, n);
            current.length += n;
            off += n;
            len -= n;
            if (current.length == BLOCK_SIZE) {
                dispatch();
            }
        }
    }

    /** Hands the full block to the threads, first writing out the oldest ones if too many are under way. */
    private void dispatch() throws IOException {
        Block block = current;
        crc.update(block.raw, 0, block.length);
        total += block.length;
        if (pool == null) {
            AtomicInteger count = new AtomicInteger();
            pool = Executors.newFixedThreadPool(threads, r -> {
                Thread t = new Thread(r, "portainer-pack-" + count.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
        }
        pending.add(pool.submit(() -> block.compress(level)));
        while (pending.size() > threads) {
            writeOut(pending.poll());
        }
        current = free.isEmpty() ? new Block() : free.poll();
        current.length = 0;
    }

    private void writeOut(Future<Block> future) throws IOException {
        Block block;
        try {
            block = future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while compressing the build context");
        } catch (ExecutionException e) {
            throw new IOException("Cannot compress the build context: " + e.getCause(), e.getCause());
        }
        out.write(block.out, 0, block.outLength);
        free.add(block);
    }

    @Override
    public void flush() throws IOException {
        // A block is written when it is full; flushing part of one would make the bytes depend on when it was asked.
        out.flush();
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (current.length > 0) {
                crc.update(current.raw, 0, current.length);
                total += current.length;
                if (pool == null) {
                    // Less than one block: compressed here, no thread started.
                    Block last = current.compress(level);
                    out.write(last.out, 0, last.outLength);
                } else {
                    Block last = current;
                    pending.add(pool.submit(() -> last.compress(level)));
                }
            }
            while (!pending.isEmpty()) {
                writeOut(pending.poll());
            }
            // The final, empty stored block ends the deflate stream; then CRC-32 and length, little-endian.
            out.write(new byte[] {1, 0, 0, (byte) 0xff, (byte) 0xff});
            int crc32 = (int) crc.getValue();
            int size = (int) total;
            out.write(new byte[] {(byte) crc32, (byte) (crc32 >>> 8), (byte) (crc32 >>> 16), (byte) (crc32 >>> 24),
                    (byte) size, (byte) (size >>> 8), (byte) (size >>> 16), (byte) (size >>> 24)});
        } finally {
            if (pool != null) {
                pool.shutdownNow();
            }
            out.close();
        }
    }

    /** Input bytes that {@link #close()} wrote, and that the gzip trailer counts (modulo 2^32). */
    long totalIn() {
        return total;
    }

    /**
     * Whether a piece (at most {@link #PIECE} bytes) looks worth deflating: its order-0 entropy is at most
     * {@link #STORE_ABOVE_BITS} bits per byte. Counting bytes is ~20 times faster than deflating random ones.
     *
     * @param counts 256 counters to use
     */
    static boolean worthDeflating(byte[] data, int off, int len, int[] counts) {
        Arrays.fill(counts, 0);
        for (int i = off; i < off + len; i++) {
            counts[data[i] & 0xff]++;
        }
        double sum = 0;
        for (int c : counts) {
            sum += N_LOG2_N[c];
        }
        return N_LOG2_N[len] / len - sum / len <= STORE_ABOVE_BITS;
    }

    /** One block of input and its deflate output; reused once written. */
    private static final class Block {
        final byte[] raw = new byte[BLOCK_SIZE];
        final int[] counts = new int[256];
        byte[] out = new byte[BLOCK_SIZE + BLOCK_SIZE / 16 + 1024];
        int length;
        int outLength;

        Block compress(int level) {
            outLength = 0;
            if (level == 0) {
                stored(0, length);
                return this;
            }
            Deflater deflater = new Deflater(level, true);
            try {
                int runStart = 0;
                boolean runDeflates = deflates(0, Math.min(PIECE, length));
                for (int piece = PIECE; piece < length; piece += PIECE) {
                    boolean deflates = deflates(piece, Math.min(PIECE, length - piece));
                    if (deflates != runDeflates) {
                        run(deflater, runStart, piece, runDeflates);
                        runStart = piece;
                        runDeflates = deflates;
                    }
                }
                run(deflater, runStart, length, runDeflates);
            } finally {
                deflater.end();
            }
            return this;
        }

        private boolean deflates(int off, int len) {
            return worthDeflating(raw, off, len, counts);
        }

        private void run(Deflater deflater, int start, int end, boolean deflate) {
            if (deflate && deflated(deflater, start, end)) {
                return;
            }
            stored(start, end);
        }

        /** Deflates the run unless it would not save {@link #MIN_SAVING}; whether it did. */
        private boolean deflated(Deflater deflater, int start, int end) {
            int mark = outLength;
            int budget = (int) ((end - start) * (1 - MIN_SAVING));
            if (mark + budget + 64 > out.length) {
                out = Arrays.copyOf(out, mark + budget + 64);
            }
            deflater.reset();
            deflater.setInput(raw, start, end - start);
            while (true) {
                // Never more room than the budget: deflate stops when the output is full, so a run that does not
                // pay is abandoned early rather than deflated to the end.
                int space = mark + budget + 64 - outLength;
                int n = deflater.deflate(out, outLength, space, Deflater.SYNC_FLUSH);
                outLength += n;
                if (outLength - mark > budget) {
                    outLength = mark;
                    return false;
                }
                if (n < space) {
                    return true;
                }
            }
        }

        /** Stored deflate blocks (non-final), each a header byte, LEN, NLEN and up to 65,535 bytes. */
        private void stored(int start, int end) {
            int need = outLength + (end - start) + 5 * ((end - start) / STORED_MAX + 1);
            if (need > out.length) {
                out = Arrays.copyOf(out, need);
            }
            for (int at = start; at < end; at += STORED_MAX) {
                int n = Math.min(STORED_MAX, end - at);
                out[outLength++] = 0;
                out[outLength++] = (byte) n;
                out[outLength++] = (byte) (n >>> 8);
                out[outLength++] = (byte) ~n;
                out[outLength++] = (byte) (~n >>> 8);
                System.arraycopy(raw, at, out, outLength, n);
                outLength += n;
            }
        }
    }
}

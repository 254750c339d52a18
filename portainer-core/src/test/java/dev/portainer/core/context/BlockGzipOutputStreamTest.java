package dev.portainer.core.context;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;

import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BlockGzipOutputStreamTest {
    @TempDir
    Path tmp;

    /** Files of random bytes and of text, alternating, as a project of sources and assets looks. */
    private static byte[] mixed(int files, int size) {
        Random random = new Random(7);
        byte[] text = "the quick brown fox jumps over the lazy dog, again and again\n".repeat(size / 60 + 1)
                .getBytes(StandardCharsets.US_ASCII);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < files; i++) {
            byte[] data = new byte[size];
            if (i % 2 == 0) {
                random.nextBytes(data);
            } else {
                System.arraycopy(text, i % 50, data, 0, size);
            }
            out.writeBytes(data);
        }
        return out.toByteArray();
    }

    private static byte[] gzip(byte[] data, int level, int threads, int chunk) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (BlockGzipOutputStream gzip = new BlockGzipOutputStream(out, level, threads)) {
            for (int at = 0; at < data.length; at += chunk) {
                gzip.write(data, at, Math.min(chunk, data.length - at));
            }
        }
        return out.toByteArray();
    }

    @Test
    void givesTheSameBytesWhateverTheThreadsAndHowItIsWritten() throws Exception {
        byte[] data = mixed(180, 40_000); // about seven blocks
        byte[] one = gzip(data, 1, 1, 100_000);
        assertArrayEquals(one, gzip(data, 1, 2, 512));
        assertArrayEquals(one, gzip(data, 1, 4, 3_000_000));
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(one))) {
            assertArrayEquals(data, in.readAllBytes());
        }
        // commons-compress reads the first member only unless told otherwise: it is one member
        try (GzipCompressorInputStream in = new GzipCompressorInputStream(new ByteArrayInputStream(one))) {
            assertArrayEquals(data, in.readAllBytes());
        }
    }

    @Test
    void gzipItselfChecksTheStreamAndItsTrailer() throws Exception {
        byte[] data = mixed(60, 50_000);
        Path file = Files.write(tmp.resolve("ctx.tar.gz"), gzip(data, 1, 2, 8192));
        Process test = new ProcessBuilder("gzip", "-t", "-v", file.toString()).redirectErrorStream(true).start();
        String out = new String(test.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(test.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, test.exitValue(), out);
        Process unpack = new ProcessBuilder("gzip", "-dc", file.toString()).start();
        assertArrayEquals(data, unpack.getInputStream().readAllBytes());
        assertEquals(0, unpack.waitFor());
    }

    @Test
    void storesRandomBytesAndDeflatesText() throws Exception {
        byte[] random = new byte[3 << 20];
        new Random(1).nextBytes(random);
        int stored = gzip(random, 1, 2, 65536).length;
        // stored deflate blocks: 5 bytes per 65,535, plus the gzip header and trailer
        assertTrue(stored <= random.length + random.length / 65535 * 5 + 64, "random bytes grew to " + stored);
        byte[] text = mixed(2, 1 << 20);
        int deflated = gzip(java.util.Arrays.copyOfRange(text, 1 << 20, 2 << 20), 1, 2, 65536).length;
        assertTrue(deflated < (1 << 20) / 10, "text deflated to " + deflated);
        byte[] halves = mixed(100, 32_768);
        int mixed = gzip(halves, 1, 2, 65536).length;
        assertTrue(mixed < halves.length * 0.6, "the text half deflated, the random half stored: " + mixed);
    }

    @Test
    void decidesByPieceWhetherDeflatePays() {
        byte[] random = new byte[BlockGzipOutputStream.PIECE];
        new Random(3).nextBytes(random);
        int[] counts = new int[256];
        assertFalse(BlockGzipOutputStream.worthDeflating(random, 0, random.length, counts), "random bytes");
        byte[] text = mixed(2, BlockGzipOutputStream.PIECE);
        assertTrue(BlockGzipOutputStream.worthDeflating(text, BlockGzipOutputStream.PIECE,
                BlockGzipOutputStream.PIECE, counts), "text");
        assertTrue(BlockGzipOutputStream.worthDeflating(new byte[BlockGzipOutputStream.PIECE], 0,
                BlockGzipOutputStream.PIECE, counts), "zeros");
    }

    @Test
    void levelZeroStoresEverythingAndAnEmptyStreamIsValid() throws Exception {
        byte[] text = mixed(2, 100_000);
        byte[] stored = gzip(text, 0, 2, 65536);
        assertTrue(stored.length > text.length, "stored, not deflated: " + stored.length);
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(stored))) {
            assertArrayEquals(text, in.readAllBytes());
        }
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gzip(new byte[0], 1, 2, 1)))) {
            assertEquals(0, in.readAllBytes().length);
        }
    }
}

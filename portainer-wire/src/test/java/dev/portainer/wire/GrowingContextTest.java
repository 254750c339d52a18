package dev.portainer.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class GrowingContextTest {
    @TempDir
    Path dir;

    @Test
    void aContextIsReadAsItIsWrittenAndEndsOnlyWhenRenamed() throws Exception {
        Path file = dir.resolve("context-1.tar");
        byte[] bytes = new byte[3 * 1024 * 1024 + 17];
        new Random(7).nextBytes(bytes);
        CompletableFuture<Void> packer = CompletableFuture.runAsync(() -> write(file, bytes, 4));

        byte[] read;
        try (InputStream in = GrowingContext.open(file, () -> false)) {
            read = in.readAllBytes();
        }

        packer.join();
        assertArrayEquals(bytes, read);
    }

    @Test
    void aContextNotYetStartedIsWaitedForAndOneAlreadyCompleteIsReadAtOnce() throws Exception {
        Path file = dir.resolve("context-2.tar");
        byte[] bytes = "a whole archive".getBytes();
        try (InputStream in = GrowingContext.open(file, () -> false)) {
            CompletableFuture<Void> packer = CompletableFuture.runAsync(() -> {
                sleep(50);
                write(file, bytes, 2);
            });
            assertArrayEquals(bytes, in.readAllBytes());
            packer.join();
        }
        try (InputStream in = GrowingContext.open(file, () -> false)) {
            assertArrayEquals(bytes, in.readAllBytes());
        }
    }

    @Test
    void aPartialFileRemovedWithoutBecomingTheContextFailsTheReadRatherThanEndingIt() throws Exception {
        Path file = dir.resolve("context-3.tar");
        Path partial = BuildSpec.partialContextFile(file);
        Files.write(partial, new byte[1024]); // a tar cut here would read as a valid, smaller archive
        try (InputStream in = GrowingContext.open(file, () -> false)) {
            assertArrayEquals(new byte[1024], in.readNBytes(1024));
            CompletableFuture.runAsync(() -> {
                sleep(30);
                delete(partial); // what the packer does when it fails
            });

            IOException e = assertThrows(IOException.class, in::read);

            assertTrue(e.getMessage().contains("stopped being written before it was complete (1024 bytes)"),
                    e.getMessage());
        }
    }

    @Test
    void aCancelledBuildStopsWaitingForItsContext() throws Exception {
        Path file = dir.resolve("context-4.tar");
        Files.write(BuildSpec.partialContextFile(file), new byte[10]);
        AtomicBoolean stopped = new AtomicBoolean();
        try (InputStream in = GrowingContext.open(file, stopped::get)) {
            assertArrayEquals(new byte[10], in.readNBytes(10));
            CompletableFuture.runAsync(() -> {
                sleep(30);
                stopped.set(true);
            });

            IOException e = assertThrows(IOException.class, in::read);

            assertTrue(e.getMessage().contains("cancelled"), e.getMessage());
        }
    }

    /** As ContextPacker writes an archive: into {@code .part} in pieces, closed, then renamed. */
    private static void write(Path file, byte[] bytes, int pieces) {
        Path partial = BuildSpec.partialContextFile(file);
        try {
            try (OutputStream out = Files.newOutputStream(partial)) {
                int step = bytes.length / pieces + 1;
                for (int off = 0; off < bytes.length; off += step) {
                    out.write(bytes, off, Math.min(step, bytes.length - off));
                    out.flush();
                    sleep(20);
                }
            }
            Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void delete(Path file) {
        try {
            Files.delete(file);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

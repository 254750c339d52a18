package dev.portainer.bench;

import dev.portainer.core.context.ContextFormat;
import dev.portainer.core.context.ContextPacker;
import dev.portainer.core.context.PackedContext;
import dev.portainer.core.staging.HadoopStager;
import dev.portainer.core.staging.HadoopStaging;
import dev.portainer.core.staging.StagingListener;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

/**
 * Packs (a plain tar, a tar.gz on every core, a tar.gz on one thread) and stages (file://) a generated context and
 * runs {@code tar -cf - . | gzip -1 > /dev/null} on the same tree in the same run: wall time and this JVM's peak heap.
 * Half the files are random bytes, half compressible text.
 */
public final class StagingBenchmark {
    private StagingBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Path work = Path.of(args.length > 0 ? args[0] : "target/bench").toAbsolutePath();
        int files = args.length > 1 ? Integer.parseInt(args[1]) : 20_000;
        long totalMb = args.length > 2 ? Long.parseLong(args[2]) : 500;
        Path context = work.resolve("context");
        Path stage = work.resolve("stage");
        deleteTree(work);
        Files.createDirectories(stage);
        long bytes = generate(context, files, totalMb * 1024 * 1024);
        System.out.printf(Locale.ROOT, "Context: %d files, %.0f MB in %s%n", files + 1, bytes / 1048576.0, context);

        // Warm the page cache and the JIT once, so both contenders read from memory.
        runShell(context, "tar -cf - . > /dev/null");

        long t0 = System.nanoTime();
        runShell(context, "tar -cf - . | gzip -1 > /dev/null");
        double tarSeconds = (System.nanoTime() - t0) / 1e9;

        Pack tar = pack(context, work.resolve("context.tar"), ContextPacker.builder().format(ContextFormat.TAR));
        Pack gz = pack(context, work.resolve("context.tar.gz"), ContextPacker.builder());
        Pack gz1 = pack(context, work.resolve("context-1.tar.gz"), ContextPacker.builder().threads(1));

        resetPeaks();
        long t2 = System.nanoTime();
        try (HadoopStager stager = HadoopStager.open(new HadoopStaging(stage.toUri(), null, Map.of(), null),
                Map.of(), new SecureRandom(), StagingListener.of(line -> { }, System.err::println),
                Clock.systemUTC())) {
            stager.stageBuildFile(gz.packed().archive(), "context.tar.gz", gz.packed().sha256());
        }
        double stageSeconds = (System.nanoTime() - t2) / 1e9;
        long stagePeak = heapPeak();

        System.out.printf(Locale.ROOT, "tar -cf - . | gzip -1 > /dev/null : %6.2f s (%.0f MB/s)%n", tarSeconds,
                bytes / 1048576.0 / tarSeconds);
        tar.print("tar + sha256", bytes);
        gz.print("tar.gz + sha256", bytes);
        gz1.print("tar.gz 1 thread", bytes);
        System.out.printf(Locale.ROOT, "Portainer stage (file://)          : %6.2f s, peak heap %.0f MB%n",
                stageSeconds, stagePeak / 1048576.0);
        System.out.printf(Locale.ROOT, "Max heap (-Xmx)                    : %.0f MB%n",
                Runtime.getRuntime().maxMemory() / 1048576.0);
        deleteTree(work);
    }

    /** One pack: its wall time and the heap's peak during it. */
    private record Pack(PackedContext packed, double seconds, long peak, long heapBefore) {
        void print(String what, long bytes) {
            System.out.printf(Locale.ROOT, "Portainer pack (%-15s)   : %6.2f s (%.0f MB/s), %.0f MB written,"
                    + " peak heap %.0f MB (%.0f MB before)%n", what, seconds, bytes / 1048576.0 / seconds,
                    packed.compressedSize() / 1048576.0, peak / 1048576.0, heapBefore / 1048576.0);
        }
    }

    private static Pack pack(Path context, Path archive, ContextPacker.Builder packer) throws Exception {
        System.gc();
        resetPeaks();
        long heapBefore = heapUsed();
        long t0 = System.nanoTime();
        PackedContext packed = packer.build().pack(context, "Dockerfile", archive, List.of());
        return new Pack(packed, (System.nanoTime() - t0) / 1e9, heapPeak(), heapBefore);
    }

    private static long generate(Path context, int files, long totalBytes) throws IOException {
        Random random = new Random(42);
        long perFile = totalBytes / files;
        byte[] text = ("the quick brown fox jumps over the lazy dog 0123456789\n").repeat(1 + (int) (perFile / 55))
                .getBytes();
        long written = 0;
        Files.createDirectories(context);
        Files.writeString(context.resolve("Dockerfile"), "FROM scratch\nCOPY . /\n");
        for (int i = 0; i < files; i++) {
            Path dir = context.resolve("d" + (i % 200)).resolve("e" + (i % 7));
            Files.createDirectories(dir);
            // Sizes vary around the mean, as real sources and assets do.
            int size = (int) (perFile / 2 + random.nextInt((int) perFile + 1));
            byte[] data = new byte[size];
            if (i % 2 == 0) {
                random.nextBytes(data);
            } else {
                System.arraycopy(text, 0, data, 0, Math.min(size, text.length));
            }
            Files.write(dir.resolve("f" + i + ".bin"), data);
            written += size;
        }
        return written;
    }

    private static void runShell(Path dir, String command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("sh", "-c", command).directory(dir.toFile()).inheritIO().start();
        if (p.waitFor() != 0) {
            throw new IOException(command + " failed");
        }
    }

    private static List<MemoryPoolMXBean> heapPools() {
        return ManagementFactory.getMemoryPoolMXBeans().stream().filter(p -> p.getType() == MemoryType.HEAP)
                .toList();
    }

    private static void resetPeaks() {
        heapPools().forEach(MemoryPoolMXBean::resetPeakUsage);
    }

    /** Sum of the heap pools' peaks: an upper bound of the heap in use at any moment since the reset. */
    private static long heapPeak() {
        return heapPools().stream().mapToLong(p -> p.getPeakUsage().getUsed()).sum();
    }

    private static long heapUsed() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}

package dev.portainer.core.build;

import dev.portainer.wire.ExecutorContract;

import dev.portainer.core.scheduler.BuildEvents;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Class-data sharing (AppCDS) for the executors of the embedded single-node Mesos, whose agent runs them with this
 * JVM's own {@code java} on this machine: a JVM that maps an archive of the executor's classes reaches the agent and
 * the first Docker line sooner (measured: JVM start to SUBSCRIBE 0.18 s → 0.12 s; protobuf, Jackson and docker-java
 * no longer parsed and verified from the jar).
 *
 * <p>The archive sits next to the cached executor jar, named by this JVM's identity ({@code java.home},
 * {@code java.vm.version}), so another Java or another executor never maps it. When it is not there yet, the first
 * build makes it: a training JVM ({@code --warm-up}, run with {@code -XX:ArchiveClassesAtExit}) runs next to the
 * build, and {@link #close()} waits for it and moves its archive in whole (a truncated archive crashes the JVM that
 * maps it, so nothing but a complete one is ever at the final name). A lock keeps concurrent builds (mvn -T) from
 * training twice; a failed training leaves a marker and is not retried for that Java.
 *
 * <p>The archive records the jar's size and modification time; the embedded fetcher hard-links the jar into each
 * sandbox (or copies it keeping its time), so both match. A JVM that finds them changed ignores the archive.
 */
final class ExecutorClassData implements AutoCloseable {
    /**
     * The executor's JVM: small and quick to start. The heap is capped at a third of the executor's memory (the JVM
     * would take half of it, and a log flood grows the heap to its cap): what the executor holds is bounded anyway
     * (its log queue: 16 MB), and the rest of its resources go to metaspace, the class-data archive and threads.
     */
    static final String JAVA_OPTIONS = "-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xss512k -Xmx64m -XX:MaxRAM="
            + (int) ExecutorCommands.EXECUTOR_MEM_MB + "m";
    private static final long TRAINING_TIMEOUT_SECONDS = 120;

    private final Path archive;
    private final Process training;
    private final Path trainingOutput;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final BuildEvents events;

    private ExecutorClassData(Path archive, Process training, Path trainingOutput, FileChannel lockChannel,
                              FileLock lock, BuildEvents events) {
        this.archive = archive;
        this.training = training;
        this.trainingOutput = trainingOutput;
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.events = events;
    }

    /** This JVM's {@code java}, which the embedded agent runs the executor with. */
    static Path java() {
        return Path.of(System.getProperty("java.home"), "bin", "java");
    }

    /**
     * The archive for {@code executor} if it exists; otherwise starts making it (when the jar is in a cache directory
     * and nothing else is making it) and returns a handle without an archive.
     */
    static ExecutorClassData open(ExecutorJarFile executor, BuildEvents events) {
        Path directory = executor.classDataDirectory();
        if (directory == null || !Files.isDirectory(directory)) {
            return new ExecutorClassData(null, null, null, null, null, events);
        }
        String name = "cds-" + javaKey();
        Path archive = directory.resolve(name + ".jsa");
        if (Files.isRegularFile(archive)) {
            return new ExecutorClassData(archive, null, null, null, null, events);
        }
        Path failed = directory.resolve(name + ".failed");
        if (Files.exists(failed)) {
            return new ExecutorClassData(null, null, null, null, null, events);
        }
        FileChannel channel = null;
        try {
            channel = FileChannel.open(directory.resolve(name + ".lock"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE);
            FileLock lock = channel.tryLock();
            if (lock == null || Files.isRegularFile(archive)) {
                // Another build is training (or just finished): this one starts without.
                if (lock != null) {
                    lock.release();
                }
                channel.close();
                return new ExecutorClassData(Files.isRegularFile(archive) ? archive : null, null, null, null, null,
                        events);
            }
            Path partial = directory.resolve(name + ".jsa.partial");
            Files.deleteIfExists(partial);
            Path output = directory.resolve(name + ".log");
            List<String> command = new java.util.ArrayList<>(List.of(java().toString(),
                    "-XX:ArchiveClassesAtExit=" + partial));
            command.addAll(List.of(JAVA_OPTIONS.split(" ")));
            command.addAll(List.of("-jar", executor.jar().getFileName().toString(), ExecutorContract.WARM_UP_FLAG));
            Process process = new ProcessBuilder(command).directory(directory.toFile())
                    .redirectErrorStream(true).redirectOutput(output.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            return new ExecutorClassData(archive, process, output, channel, lock, events);
        } catch (IOException | RuntimeException e) {
            closeQuietly(channel);
            return new ExecutorClassData(null, null, null, null, null, events);
        }
    }

    /** The JVM options that map the archive, or none while there is none. */
    String javaOptions() {
        return mapsArchive() ? "-XX:SharedArchiveFile=" + ExecutorCommands.shellQuote(archive.toString()) + " -Xshare:auto "
                : "";
    }

    /** {@link #javaOptions()} as arguments. */
    List<String> javaArguments() {
        return mapsArchive() ? List.of("-XX:SharedArchiveFile=" + archive, "-Xshare:auto") : List.of();
    }

    private boolean mapsArchive() {
        return training == null && archive != null;
    }

    /** Waits for a training started by this build and keeps its archive if it completed. Never throws. */
    @Override
    public void close() {
        if (training == null) {
            return;
        }
        Path partial = archive.resolveSibling(archive.getFileName() + ".partial");
        try {
            boolean done = training.waitFor(TRAINING_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            if (!done) {
                training.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            if (done && training.exitValue() == 0 && Files.isRegularFile(partial) && Files.size(partial) > 0) {
                try {
                    Files.move(partial, archive, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(partial, archive);
                }
                Files.deleteIfExists(trainingOutput);
            } else {
                Files.writeString(archive.resolveSibling(archive.getFileName().toString()
                                .replace(".jsa", ".failed")),
                        "exit " + (done ? training.exitValue() : "timeout") + "; see " + trainingOutput + "\n",
                        StandardCharsets.UTF_8);
                events.warn("Could not make the executor's class-data archive (see " + trainingOutput + "); "
                        + "executors start without it, a little slower");
            }
        } catch (IOException e) {
            events.warn("Could not keep the executor's class-data archive: " + e.getMessage());
        } catch (InterruptedException e) {
            training.destroyForcibly();
            Thread.currentThread().interrupt();
        } finally {
            try {
                Files.deleteIfExists(partial);
            } catch (IOException ignored) {
                // a leftover partial file is never mapped: only the final name is
            }
            try {
                lock.release();
            } catch (IOException ignored) {
                // closing the channel releases it too
            }
            closeQuietly(lockChannel);
        }
    }

    /** Stops a training still running (Ctrl-C): its half-written archive is left at the partial name. */
    void cancel() {
        if (training != null) {
            training.destroyForcibly();
        }
    }

    /** 16 hex digits of SHA-256 over this JVM's home and version. */
    static String javaKey() {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update((System.getProperty("java.home") + "\0" + System.getProperty("java.vm.version") + "\0"
                    + System.getProperty("java.vm.name")).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest.digest()).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // nothing to do
            }
        }
    }
}

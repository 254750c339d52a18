package dev.portainer.executor;

import dev.portainer.executor.agent.MesosDuration;
import dev.portainer.wire.ExecutorContract;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The class-data archive of the executor on a real agent: the first executor of a jar on an agent makes it, the
 * ones after it start from it (the scheduler's command maps it; core's {@code ExecutorCommands.remote}). Measured on
 * the executor's own warm-up: 0.89 s → 0.49 s from JVM start to exit.
 *
 * <p>When the command found no archive to map, it names the one to make ({@link ExecutorContract#CLASS_DATA_ENV}),
 * in a directory private to the executor's user. This executor then makes the directory (mode 0700; one that is not
 * the user's alone is refused, since the JVM trusts an archive's contents), takes its lock (one training per agent
 * and jar at a time), and runs a training JVM next to its builds: this jar's {@code --warm-up} under
 * {@code -XX:ArchiveClassesAtExit}, with the executor's own JVM options, in the sandbox, at a lower CPU priority
 * ({@code nice -n 10}). When the executor is done it
 * waits for the training a little ({@link #budget}: within the agent's shutdown grace period, so that nothing of it
 * outlives the executor) and moves the archive in whole: a truncated one is never at the final name. A training cut
 * short is tried again by a later executor; one that failed leaves a marker and is not. Archives of other jars are
 * pruned but for the newest {@link #KEPT_OTHERS}. Each archive has the identity of the Java that made it beside it
 * ({@link #JVM_SUFFIX}): an executor started with an archive of another Java (which that JVM ignores, silently)
 * makes it again for its own.
 */
final class AgentClassData {
    /** The training JVM's output, in the sandbox; removed when the archive is made. */
    static final String TRAINING_LOG = "class-data-training.log";
    /** Archives of other executor jars kept in the directory (the newest ones): a cluster may run two versions. */
    static final int KEPT_OTHERS = 2;
    /** Next to an archive: the {@link #javaIdentity} of the Java that made it. */
    static final String JVM_SUFFIX = ".jvm";
    private static final Duration MAX_BUDGET = Duration.ofSeconds(10);
    private static final Duration DEFAULT_GRACE = Duration.ofSeconds(5);
    private static final AgentClassData NONE = new AgentClassData(null, null, null, null, null, null);
    private static final Optional<Path> NICE = Stream.of("/usr/bin/nice", "/bin/nice").map(Path::of)
            .filter(Files::isExecutable).findFirst();

    private final Path archive;
    private final Path partial;
    private final Path log;
    private final Process training;
    private final FileChannel lockChannel;
    private final PrintStream notes;

    private AgentClassData(Path archive, Path partial, Path log, Process training, FileChannel lockChannel,
                           PrintStream notes) {
        this.archive = archive;
        this.partial = partial;
        this.log = log;
        this.training = training;
        this.lockChannel = lockChannel;
        this.notes = notes;
    }

    /**
     * Starts making the archive the command asked for, unless it is there, failed before, is being made by another
     * executor, or its directory is not private; or making again the archive the command mapped ({@code given}),
     * when another Java made it (the agent's Java was upgraded, say) and this JVM therefore ignored it. Never throws:
     * without an archive the executor only starts slower.
     *
     * @param given   the archive this JVM was started with ({@link #given()})
     * @param sandbox the working directory, with the executor jar
     * @param notes   where the executor notes what it does (the sandbox's stdout)
     */
    static AgentClassData start(Map<String, String> env, Optional<String> given, Path sandbox, PrintStream notes) {
        String value = env.get(ExecutorContract.CLASS_DATA_ENV);
        boolean remake = false;
        if ((value == null || value.isEmpty()) && given.isPresent() && isArchiveName(Path.of(given.get())
                .getFileName().toString())) {
            value = given.get();
            String madeBy = readQuietly(Path.of(value + JVM_SUFFIX));
            if (javaIdentity().equals(madeBy)) {
                return NONE;
            }
            notes.println("portainer-executor: the class-data archive " + value + " was made by another Java ("
                    + (madeBy == null ? "unknown" : madeBy.replace('\n', ' ').strip()) + "), not this one ("
                    + javaIdentity().replace('\n', ' ').strip() + "), which ignores it: making it again");
            remake = true;
        }
        if (value == null || value.isEmpty()) {
            return NONE;
        }
        Path archive = Path.of(value);
        Path jar = sandbox.resolve(ExecutorContract.EXECUTOR_FILE);
        if (!archive.isAbsolute() || archive.getParent() == null || !isArchiveName(archive.getFileName().toString())
                || !Files.isRegularFile(jar)) {
            return NONE;
        }
        Path directory = archive.getParent();
        String name = archive.getFileName().toString();
        FileChannel channel = null;
        try {
            createPrivateDirectory(directory);
            if (!remake && Files.exists(archive) || Files.exists(directory.resolve(name + ".failed"))) {
                return NONE;
            }
            Path lockFile = directory.resolve(name + ".lock");
            channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            if (!isPrivate(directory, lockFile)) {
                notes.println("portainer-executor: not making a class-data archive in " + directory
                        + ": the directory must belong to this user alone (mode 0700)");
                channel.close();
                return NONE;
            }
            FileLock lock = channel.tryLock();
            if (lock == null || (remake ? javaIdentity().equals(readQuietly(Path.of(value + JVM_SUFFIX)))
                    : Files.exists(archive))) {
                // Another executor of this agent is making it (or just made it).
                channel.close();
                return NONE;
            }
            Path partial = directory.resolve(name + ".partial");
            Files.deleteIfExists(partial); // left by a training cut short (the executor killed)
            prune(directory, name);
            Path log = sandbox.resolve(TRAINING_LOG);
            List<String> command = new ArrayList<>();
            // It yields the CPU to the build beside it (and to the executor's own start).
            NICE.ifPresent(nice -> command.addAll(List.of(nice.toString(), "-n", "10")));
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.add("-XX:ArchiveClassesAtExit=" + partial);
            command.addAll(jvmOptions());
            // The jar as the command names it, relative: an archive made from an absolute path would look for the jar
            // in this sandbox, which the agent removes in time; a relative one fits every sandbox's copy.
            command.addAll(List.of("-jar", ExecutorContract.EXECUTOR_FILE, ExecutorContract.WARM_UP_FLAG));
            ProcessBuilder builder = new ProcessBuilder(command).directory(sandbox.toFile())
                    .redirectErrorStream(true).redirectOutput(log.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            builder.environment().remove(ExecutorContract.CLASS_DATA_ENV);
            Process process = builder.start();
            // SIGTERM (the agent's kill) ends the training too; its partial archive is not left for long.
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                if (process.isAlive()) {
                    process.destroyForcibly();
                    try {
                        process.waitFor(2, TimeUnit.SECONDS);
                        Files.deleteIfExists(partial);
                    } catch (IOException | InterruptedException ignored) {
                        // the next executor to train removes it
                    }
                }
            }, "class-data-training-stop"));
            notes.println("portainer-executor: making the class-data archive " + archive + " for the executors"
                    + " after this one (a training JVM beside the build, output in " + TRAINING_LOG + ")");
            return new AgentClassData(archive, partial, log, process, channel, notes);
        } catch (IOException | RuntimeException e) {
            close(channel);
            return NONE;
        }
    }

    /**
     * How long the executor may wait for its training once it is done: its agent kills it the shutdown grace period
     * after the scheduler's TEARDOWN (which comes after the executor's last update), so a second less than that,
     * and at most 10 s.
     */
    static Duration budget(Map<String, String> env) {
        Duration grace = DEFAULT_GRACE;
        String value = env.get("MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD");
        if (value != null) {
            try {
                grace = MesosDuration.parse(value);
            } catch (IllegalArgumentException e) {
                // the executor's settings report it
            }
        }
        Duration budget = grace.minusSeconds(1);
        return budget.isNegative() ? Duration.ZERO : budget.compareTo(MAX_BUDGET) > 0 ? MAX_BUDGET : budget;
    }

    /** Whether a training was started by this executor (and not finished yet). */
    boolean training() {
        return training != null && training.isAlive();
    }

    /**
     * Waits up to {@code wait} for the training this executor started, keeps its archive if it completed, stops it
     * otherwise. Never throws.
     */
    void finish(Duration wait) {
        if (training == null) {
            return;
        }
        try {
            boolean done = training.waitFor(wait.toMillis(), TimeUnit.MILLISECONDS);
            if (!done) {
                // Cut short: no marker, a later executor tries again.
                training.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                notes.println("portainer-executor: the class-data archive was not made within " + wait.toMillis()
                        + " ms of the executor's end; a later executor makes it");
            } else if (training.exitValue() == 0 && Files.isRegularFile(partial) && Files.size(partial) > 0) {
                Files.setPosixFilePermissions(partial, PosixFilePermissions.fromString("r--------"));
                // Which Java made it, written first: an archive is never without it.
                Files.writeString(archive.resolveSibling(archive.getFileName() + JVM_SUFFIX), javaIdentity(),
                        StandardCharsets.UTF_8);
                try {
                    Files.move(partial, archive, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(partial, archive);
                }
                Files.deleteIfExists(log);
                notes.println("portainer-executor: kept the class-data archive " + archive);
            } else {
                String reason = "the training JVM (" + String.join(" ", training.info().arguments().map(List::of)
                        .orElse(List.of())) + ") exited with " + training.exitValue() + "; its output: " + log;
                Files.writeString(archive.resolveSibling(archive.getFileName() + ".failed"), reason + "\n",
                        StandardCharsets.UTF_8);
                notes.println("portainer-executor: could not make a class-data archive: " + reason
                        + "; executors on this agent start without one");
            }
        } catch (IOException | RuntimeException e) {
            notes.println("portainer-executor: could not keep the class-data archive " + archive + ": " + e);
        } catch (InterruptedException e) {
            training.destroyForcibly();
            Thread.currentThread().interrupt();
        } finally {
            try {
                Files.deleteIfExists(partial);
            } catch (IOException ignored) {
                // a partial archive is never mapped: only the final name is
            }
            close(lockChannel); // releases the lock
        }
    }

    /** This Java as a class-data archive depends on it: its home, VM version and VM name. */
    static String javaIdentity() {
        return System.getProperty("java.home") + "\n" + System.getProperty("java.vm.version") + "\n"
                + System.getProperty("java.vm.name") + "\n";
    }

    private static String readQuietly(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** The class-data archive this JVM was started with (the command found one to map), if any. */
    static Optional<String> given() {
        for (String argument : ProcessHandle.current().info().arguments().orElse(new String[0])) {
            if (argument.startsWith("-XX:SharedArchiveFile=")) {
                return Optional.of(argument.substring("-XX:SharedArchiveFile=".length()));
            }
            if (argument.equals("-jar")) {
                break;
            }
        }
        return Optional.empty();
    }

    /** The name the command gives an archive: {@code executor-<16 hex digits of the jar's SHA-256>.jsa}. */
    static boolean isArchiveName(String name) {
        return name.matches("executor-[0-9a-f]{16}\\.jsa");
    }

    /** This JVM's options as given on its command line: the training runs with the same. */
    private static List<String> jvmOptions() {
        return trainingOptions(ProcessHandle.current().info().arguments().orElse(new String[0]));
    }

    /**
     * The JVM options among {@code arguments} (those before {@code -jar}) but those of class-data sharing: a JVM that
     * maps a dynamic archive (one of another Java, when it is made again) refuses to dump one.
     */
    static List<String> trainingOptions(String[] arguments) {
        List<String> options = new ArrayList<>();
        for (String argument : arguments) {
            if (argument.equals("-jar") || !argument.startsWith("-")) {
                break;
            }
            if (!argument.startsWith("-XX:SharedArchiveFile=") && !argument.startsWith("-Xshare:")
                    && !argument.startsWith("-Xlog:cds")) {
                options.add(argument);
            }
        }
        return options;
    }

    private static void createPrivateDirectory(Path directory) throws IOException {
        if (Files.isDirectory(directory)) {
            return;
        }
        Files.createDirectories(directory.getParent());
        try {
            Files.createDirectory(directory, PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rwx------")));
        } catch (FileAlreadyExistsException e) {
            // made meanwhile by another executor; checked below like any other
        }
    }

    /** Whether {@code directory} is owned by the user who owns {@code ownFile} (made by us) and open to no one else. */
    private static boolean isPrivate(Path directory, Path ownFile) throws IOException {
        int owner = (Integer) Files.getAttribute(directory, "unix:uid");
        int self = (Integer) Files.getAttribute(ownFile, "unix:uid");
        int mode = (Integer) Files.getAttribute(directory, "unix:mode");
        return owner == self && (mode & 077) == 0 && !Files.isSymbolicLink(directory);
    }

    /**
     * Deletes what the directory holds for other jars (archive, lock, failure marker) but for the newest
     * {@link #KEPT_OTHERS}; a jar whose archive is being made (its lock is held) is left alone.
     */
    private static void prune(Path directory, String keep) throws IOException {
        Map<String, FileTime> newest = new HashMap<>();
        Set<String> training = new HashSet<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, "executor-*")) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                int end = name.indexOf(".jsa");
                String base = end < 0 ? null : name.substring(0, end + 4);
                if (base == null || base.equals(keep) || !isArchiveName(base)) {
                    continue;
                }
                if (name.endsWith(".partial") && beingMade(directory.resolve(base + ".lock"))) {
                    training.add(base);
                }
                newest.merge(base, modified(file), (a, b) -> a.compareTo(b) >= 0 ? a : b);
            }
        }
        List<String> others = new ArrayList<>(newest.keySet());
        others.removeAll(training);
        others.sort(Comparator.comparing(newest::get, Comparator.reverseOrder()));
        for (String old : others.subList(Math.min(KEPT_OTHERS, others.size()), others.size())) {
            // An executor still mapping the archive keeps its pages: the file only goes once unmapped.
            for (String suffix : List.of("", JVM_SUFFIX, ".partial", ".lock", ".failed")) {
                Files.deleteIfExists(directory.resolve(old + suffix));
            }
        }
    }

    /** Whether another executor holds {@code lockFile}'s lock (is making that archive). */
    private static boolean beingMade(Path lockFile) {
        try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.WRITE)) {
            return channel.tryLock() == null; // closing the channel releases a lock it got
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static FileTime modified(Path file) {
        try {
            return Files.getLastModifiedTime(file);
        } catch (IOException e) {
            return FileTime.fromMillis(0);
        }
    }

    private static void close(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // nothing to do
            }
        }
    }
}

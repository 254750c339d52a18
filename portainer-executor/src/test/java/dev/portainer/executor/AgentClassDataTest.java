package dev.portainer.executor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portainer.wire.ExecutorContract;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** On a real agent the first executor of a jar makes the class-data archive the next ones start from. */
class AgentClassDataTest {
    private static final String NAME = "executor-0123456789abcdef.jsa";

    @TempDir
    Path tmp;
    private final ByteArrayOutputStream notesBytes = new ByteArrayOutputStream();
    private final PrintStream notes = new PrintStream(notesBytes, true, StandardCharsets.UTF_8);

    @Test
    void theFirstExecutorMakesTheArchiveWholeInADirectoryOfItsOwnAndTheNextOnesLeaveIt() throws Exception {
        Path sandbox = sandbox("sandbox");
        Path directory = tmp.resolve("home/.cache/portainer/agent-class-data");
        Path archive = directory.resolve(NAME);

        AgentClassData first = AgentClassData.start(env(archive), Optional.empty(), sandbox, notes);
        assertTrue(first.training(), "a training JVM runs next to the builds");
        assertTrue(Files.exists(sandbox.resolve(AgentClassData.TRAINING_LOG)));
        assertFalse(Files.exists(archive), "nothing at the final name while it is made");
        first.finish(Duration.ofSeconds(30));

        assertTrue(Files.size(archive) > 0, "the archive is kept");
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(directory)));
        assertEquals("r--------", PosixFilePermissions.toString(Files.getPosixFilePermissions(archive)));
        assertFalse(Files.exists(directory.resolve(NAME + ".partial")));
        assertFalse(Files.exists(sandbox.resolve(AgentClassData.TRAINING_LOG)), "its log goes once it succeeded");
        assertLockFree(directory.resolve(NAME + ".lock"));
        assertEquals(List.of("portainer-executor: making the class-data archive " + archive + " for the executors"
                        + " after this one (a training JVM beside the build, output in " + AgentClassData.TRAINING_LOG
                        + ")", "portainer-executor: kept the class-data archive " + archive),
                notesBytes.toString(StandardCharsets.UTF_8).lines().toList());

        // Another sandbox's copy of the jar (same bytes, the time the command gives it) maps it once the first
        // sandbox is gone, as the agent removes sandboxes: -Xshare:on refuses to start otherwise.
        Path next = sandbox("next");
        Files.setLastModifiedTime(next.resolve(ExecutorContract.EXECUTOR_FILE), Files.getLastModifiedTime(
                sandbox.resolve(ExecutorContract.EXECUTOR_FILE)));
        Files.delete(sandbox.resolve(ExecutorContract.EXECUTOR_FILE));
        Process mapped = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:SharedArchiveFile=" + archive, "-Xshare:on", "-jar", ExecutorContract.EXECUTOR_FILE,
                ExecutorContract.WARM_UP_FLAG).directory(next.toFile()).redirectErrorStream(true).start();
        String output = new String(mapped.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, mapped.waitFor(), output);

        AgentClassData again = AgentClassData.start(env(archive), Optional.empty(), next, notes);
        assertFalse(again.training(), "made once");
        again.finish(Duration.ZERO);
        // Which Java made it is kept beside it; an executor of that Java started with it makes nothing.
        assertEquals(AgentClassData.javaIdentity(), Files.readString(directory.resolve(NAME + ".jvm")));
        AgentClassData sameJava = AgentClassData.start(Map.of(), Optional.of(archive.toString()), next, notes);
        assertFalse(sameJava.training());
    }

    @Test
    void anArchiveAnotherJavaMadeIsMadeAgainByTheExecutorItWasGivenTo() throws Exception {
        Path directory = Files.createDirectories(tmp.resolve("cache"));
        Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwx------"));
        Path archive = Files.writeString(directory.resolve(NAME), "made by the Java before an upgrade");
        Files.writeString(directory.resolve(NAME + ".jvm"), "/usr/lib/jvm/old\n17.0.1+12\nOpenJDK 64-Bit Server VM\n");

        // The command mapped it (so no CLASS_DATA_ENV), but this JVM is another Java and ignored it.
        AgentClassData data = AgentClassData.start(Map.of(), Optional.of(archive.toString()), sandbox("sandbox"),
                notes);
        assertTrue(data.training(), "made again");
        data.finish(Duration.ofSeconds(30));

        String said = notesBytes.toString(StandardCharsets.UTF_8);
        assertTrue(said.contains("was made by another Java (/usr/lib/jvm/old 17.0.1+12 OpenJDK 64-Bit Server VM)"),
                said);
        assertTrue(Files.size(archive) > 1000, "replaced by this Java's archive");
        assertEquals(AgentClassData.javaIdentity(), Files.readString(directory.resolve(NAME + ".jvm")));
    }

    @Test
    void nothingIsMadeWithoutTheCommandsWordOrWithAPathItNeverGives() throws Exception {
        Path sandbox = sandbox("sandbox");
        for (Map<String, String> env : List.of(Map.<String, String>of(),
                Map.of(ExecutorContract.CLASS_DATA_ENV, ""),
                Map.of(ExecutorContract.CLASS_DATA_ENV, "relative/" + NAME),
                Map.of(ExecutorContract.CLASS_DATA_ENV, tmp.resolve("cache/other.jsa").toString()))) {
            AgentClassData data = AgentClassData.start(env, Optional.empty(), sandbox, notes);
            assertFalse(data.training(), env.toString());
            data.finish(Duration.ZERO);
        }
        assertFalse(Files.exists(tmp.resolve("cache")), "no directory made");
    }

    @Test
    void aDirectoryOthersMayWriteIntoIsRefused() throws Exception {
        Path directory = Files.createDirectories(tmp.resolve("shared"));
        Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwxrwxrwx"));

        AgentClassData data = AgentClassData.start(env(directory.resolve(NAME)), Optional.empty(),
                sandbox("sandbox"), notes);

        assertFalse(data.training());
        assertTrue(notesBytes.toString(StandardCharsets.UTF_8).contains("the directory must belong to this user alone"),
                notesBytes.toString(StandardCharsets.UTF_8));
        try (Stream<Path> files = Files.list(directory)) {
            assertTrue(files.noneMatch(f -> f.getFileName().toString().endsWith(".partial")));
        }
    }

    @Test
    void aFailedTrainingLeavesAMarkerAndIsNotTriedAgain() throws Exception {
        Path sandbox = sandbox("sandbox");
        Files.writeString(sandbox.resolve(ExecutorContract.EXECUTOR_FILE), "not a jar");
        Path archive = tmp.resolve("cache").resolve(NAME);

        AgentClassData first = AgentClassData.start(env(archive), Optional.empty(), sandbox, notes);
        assertTrue(first.training());
        first.finish(Duration.ofSeconds(30));

        assertFalse(Files.exists(archive));
        String marker = Files.readString(archive.resolveSibling(NAME + ".failed"));
        assertTrue(marker.contains("exited with 1") && marker.contains(AgentClassData.TRAINING_LOG), marker);
        String said = notesBytes.toString(StandardCharsets.UTF_8);
        assertTrue(said.contains("could not make a class-data archive"), said);
        assertTrue(Files.exists(sandbox.resolve(AgentClassData.TRAINING_LOG)), "its output stays for the user");

        AgentClassData again = AgentClassData.start(env(archive), Optional.empty(), sandbox("again"), notes);
        assertFalse(again.training(), "not tried again");
    }

    @Test
    void aTrainingCutShortIsStoppedLeavesNothingAndIsTriedAgainByTheNextExecutor() throws Exception {
        Path sandbox = sandbox("sandbox");
        Files.writeString(sandbox.resolve("sleep-ms"), "60000");
        Path archive = tmp.resolve("cache").resolve(NAME);

        AgentClassData first = AgentClassData.start(env(archive), Optional.empty(), sandbox, notes);
        assertTrue(first.training());
        ProcessHandle trainingJvm = null;
        // nice(1) execs the JVM: its command line is only there once it has.
        for (int i = 0; i < 100 && trainingJvm == null; i++) {
            trainingJvm = ProcessHandle.current().children()
                    .filter(p -> p.info().commandLine().orElse("").contains("ArchiveClassesAtExit")).findFirst()
                    .orElse(null);
            Thread.sleep(50);
        }
        assertNotNull(trainingJvm);
        AgentClassData meanwhile = AgentClassData.start(env(archive), Optional.empty(), sandbox("meanwhile"),
                notes);
        assertFalse(meanwhile.training(), "one training at a time: the lock is held");
        first.finish(Duration.ofMillis(300));
        String said = notesBytes.toString(StandardCharsets.UTF_8);
        assertTrue(said.contains("the class-data archive was not made within 300 ms of the executor's end; a later"
                + " executor makes it"), said);

        assertFalse(trainingJvm.isAlive(), "the training JVM does not outlive the executor");
        try (Stream<Path> files = Files.list(archive.getParent())) {
            assertEquals(List.of(NAME + ".lock"), files.map(f -> f.getFileName().toString()).toList(),
                    "no archive, partial archive or failure marker");
        }
        AgentClassData next = AgentClassData.start(env(archive), Optional.empty(), sandbox("next"), notes);
        assertTrue(next.training(), "tried again");
        next.finish(Duration.ofSeconds(30));
        assertTrue(Files.exists(archive));
    }

    @Test
    void theArchivesOfOtherJarsArePrunedButTheNewestTwoAndOneBeingMade() throws Exception {
        Path directory = Files.createDirectories(tmp.resolve("cache"));
        Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwx------"));
        for (int i = 1; i <= 4; i++) {
            Path old = Files.writeString(directory.resolve("executor-000000000000000" + i + ".jsa"), "old");
            Files.setLastModifiedTime(old, FileTime.fromMillis(1_000_000_000_000L + i * 1000L));
        }
        Files.setLastModifiedTime(Files.writeString(directory.resolve("executor-0000000000000001.jsa.lock"), ""),
                FileTime.fromMillis(1_000_000_000_000L));
        Files.writeString(directory.resolve("executor-0000000000000005.jsa.failed"), "exit 1");
        Files.setLastModifiedTime(directory.resolve("executor-0000000000000005.jsa.failed"), FileTime.fromMillis(0));
        // One another executor is making right now: its lock is held.
        Path busyLock = directory.resolve("executor-0000000000000006.jsa.lock");
        Files.writeString(directory.resolve("executor-0000000000000006.jsa.partial"), "");
        Files.setLastModifiedTime(directory.resolve("executor-0000000000000006.jsa.partial"), FileTime.fromMillis(0));
        Process holder = holdLock(busyLock);
        try {
            AgentClassData data = AgentClassData.start(env(directory.resolve(NAME)), Optional.empty(),
                sandbox("sandbox"), notes);
            data.finish(Duration.ofSeconds(30));
        } finally {
            holder.destroyForcibly().waitFor();
        }

        try (Stream<Path> files = Files.list(directory)) {
            assertEquals(List.of("executor-0000000000000003.jsa", "executor-0000000000000004.jsa",
                            "executor-0000000000000006.jsa.lock", "executor-0000000000000006.jsa.partial", NAME,
                            NAME + ".jvm", NAME + ".lock"),
                    files.map(f -> f.getFileName().toString()).sorted().toList());
        }
    }

    @Test
    void theTrainingRunsWithTheExecutorsOptionsButThoseOfClassDataSharing() {
        // As the command starts an executor with an archive: a JVM mapping one refuses to dump another.
        assertEquals(List.of("-XX:+UseSerialGC", "-Xmx64m"), AgentClassData.trainingOptions(new String[] {
                "-XX:SharedArchiveFile=/home/u/.cache/portainer/agent-class-data/" + NAME, "-Xshare:auto",
                "-Xlog:cds=off", "-Xlog:cds+dynamic=off", "-XX:+UseSerialGC", "-Xmx64m", "-jar",
                "portainer-executor.jar", "-Xignored"}));
    }

    @Test
    void theWaitStaysWithinTheAgentsShutdownGracePeriod() {
        assertEquals(Duration.ofSeconds(4), AgentClassData.budget(Map.of()));
        assertEquals(Duration.ofSeconds(4), AgentClassData.budget(Map.of("MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD",
                "5secs")));
        assertEquals(Duration.ofSeconds(1), AgentClassData.budget(Map.of("MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD",
                "2secs")));
        assertEquals(Duration.ZERO, AgentClassData.budget(Map.of("MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD",
                "500ms")));
        assertEquals(Duration.ofSeconds(10), AgentClassData.budget(Map.of("MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD",
                "1mins")));
    }

    private Map<String, String> env(Path archive) {
        return Map.of(ExecutorContract.CLASS_DATA_ENV, archive.toString());
    }

    /** A sandbox with a runnable jar of {@link TrainingStubMain} named like the executor. */
    private Path sandbox(String name) throws Exception {
        Path sandbox = Files.createDirectories(tmp.resolve(name));
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, TrainingStubMain.class.getName());
        String entry = TrainingStubMain.class.getName().replace('.', '/') + ".class";
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(
                sandbox.resolve(ExecutorContract.EXECUTOR_FILE)), manifest);
             InputStream in = TrainingStubMain.class.getResourceAsStream("/" + entry)) {
            JarEntry jarEntry = new JarEntry(entry);
            jarEntry.setTime(0); // every sandbox's copy has the same bytes, as the fetched jar
            out.putNextEntry(jarEntry);
            in.transferTo(out);
            out.closeEntry();
        }
        return sandbox;
    }

    /** Another process holding {@code file}'s lock (as another executor would), until destroyed. */
    private static Process holdLock(Path file) throws Exception {
        String classes = Path.of(TrainingStubMain.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .toString();
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", classes, TrainingStubMain.class.getName(), "--hold-lock", file.toString())
                .redirectErrorStream(true).start();
        assertEquals('h', process.getInputStream().read(), "the lock is held");
        return process;
    }

    private static void assertLockFree(Path file) throws Exception {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            FileLock lock = channel.tryLock();
            assertNotNull(lock, "the lock was released");
        }
    }
}

package dev.portainer.core.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portainer.core.scheduler.BuildEvents;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded agent's executors start from a class-data archive that the first build makes alongside. */
class ExecutorClassDataTest {
    @TempDir
    Path tmp;
    private final List<String> warnings = new ArrayList<>();
    private final BuildEvents events = new BuildEvents() {
        @Override
        public void info(String line) {
        }

        @Override
        public void warn(String line) {
            warnings.add(line);
        }

        @Override
        public void log(String task, String line) {
        }
    };

    @Test
    void theFirstBuildMakesTheArchiveAndTheNextOnesMapIt() throws Exception {
        ExecutorJarFile jar = stubJar(tmp.resolve("cache"));
        try (ExecutorClassData first = ExecutorClassData.open(jar, events)) {
            assertEquals("", first.javaOptions(), "no archive yet: the first executor starts without");
        }
        Path archive = tmp.resolve("cache/cds-" + ExecutorClassData.javaKey() + ".jsa");
        assertTrue(Files.size(archive) > 0, "the training JVM's archive was kept");
        try (var files = Files.list(tmp.resolve("cache"))) {
            assertTrue(files.noneMatch(f -> f.getFileName().toString().endsWith(".partial")), "no partial archive");
        }

        ExecutorClassData next = ExecutorClassData.open(jar, events);
        String options = next.javaOptions();
        next.close();
        assertTrue(options.startsWith("-XX:SharedArchiveFile='" + archive + "' -Xshare:auto"), options);
        // A JVM started as the embedded agent starts the executor really maps it, from another directory too: the
        // archive checks the jar's size and time, which a hard link (or a copy keeping the time) preserves.
        Path sandbox = Files.createDirectories(tmp.resolve("sandbox"));
        Files.createLink(sandbox.resolve("portainer-executor.jar"), jar.jar());
        Process run = new ProcessBuilder("sh", "-c", "exec " + ExecutorCommands.shellQuote(ExecutorClassData.java()
                .toString()) + " " + options + "-Xshare:on " + ExecutorClassData.JAVA_OPTIONS
                + " -jar portainer-executor.jar").directory(sandbox.toFile()).redirectErrorStream(true).start();
        String output = new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(run.waitFor(30, TimeUnit.SECONDS));
        // -Xshare:on refuses to start at all when the archive cannot be mapped.
        assertEquals(0, run.exitValue(), output);
        assertEquals("ran", output.strip());
        assertTrue(warnings.isEmpty(), warnings.toString());

        // Control: a copy with another time is refused by -Xshare:on, so the run above really mapped the archive.
        Path copied = Files.createDirectories(tmp.resolve("copied"));
        Files.copy(jar.jar(), copied.resolve("portainer-executor.jar"));
        Files.setLastModifiedTime(copied.resolve("portainer-executor.jar"),
                java.nio.file.attribute.FileTime.fromMillis(1_000_000_000_000L));
        Process refused = new ProcessBuilder("sh", "-c", "exec " + ExecutorCommands.shellQuote(ExecutorClassData.java()
                .toString()) + " " + options + "-Xshare:on -jar portainer-executor.jar").directory(copied.toFile())
                .redirectErrorStream(true).start();
        String refusal = new String(refused.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(refused.waitFor(30, TimeUnit.SECONDS));
        assertTrue(refused.exitValue() != 0, refusal);
    }

    @Test
    void aFailedTrainingWarnsOnceAndIsNotRetriedForThatJava() throws Exception {
        ExecutorJarFile jar = stubJar(tmp.resolve("cache"));
        // A jar the training JVM cannot run: it exits 1 and leaves no archive.
        Files.writeString(jar.jar(), "not a jar");
        try (ExecutorClassData first = ExecutorClassData.open(jar, events)) {
            assertEquals("", first.javaOptions());
        }
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains("class-data archive"), warnings.get(0));
        Path failed = tmp.resolve("cache/cds-" + ExecutorClassData.javaKey() + ".failed");
        assertTrue(Files.exists(failed));
        assertFalse(Files.exists(tmp.resolve("cache/cds-" + ExecutorClassData.javaKey() + ".jsa")));

        try (ExecutorClassData again = ExecutorClassData.open(jar, events)) {
            assertEquals("", again.javaOptions());
        }
        assertEquals(1, warnings.size(), "not tried again");
    }

    @Test
    void aJarWrittenForEachBuildGetsNoArchive() throws Exception {
        ExecutorJarFile jar = stubJar(tmp.resolve("work"));
        ExecutorJarFile notKept = new ExecutorJarFile(jar.jar(), null);
        try (ExecutorClassData data = ExecutorClassData.open(notKept, events)) {
            assertEquals("", data.javaOptions());
        }
        try (var files = Files.list(tmp.resolve("work"))) {
            assertEquals(1, files.count(), "nothing was trained or written");
        }
    }

    /** A runnable jar with {@link ClassDataStubMain}, named like the executor, kept in {@code directory}. */
    private static ExecutorJarFile stubJar(Path directory) throws Exception {
        Files.createDirectories(directory);
        return new ExecutorJarFile(ClassDataStubMain.writeJar(directory.resolve("portainer-executor.jar")), null,
                directory);
    }
}

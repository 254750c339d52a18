package dev.portainer.core.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.portainer.wire.ExecutorContract;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The executor's command on a real agent, run with {@code sh -c} as an agent runs it: it maps the class-data archive
 * of its jar when the user's own, and otherwise names the one the executor may make.
 */
class ExecutorCommandsTest {
    private static final String SHA = "0123456789abcdef".repeat(4);

    @TempDir
    Path tmp;

    @Test
    void withoutAnArchiveTheCommandNamesOneInTheUsersCacheAndFixesTheJarsTime() throws Exception {
        Path sandbox = sandbox("sandbox");
        Map<String, String> env = env(Map.of("HOME", tmp.resolve("home").toString()));

        Run run = run(sandbox, env);

        assertEquals(List.of("ran", "make " + tmp.resolve("home/.cache/portainer/agent-class-data/executor-"
                + SHA.substring(0, 16) + ".jsa")), run.output, "the executor runs, told where to make the archive");
        assertFalse(run.mapped, "nothing to map");
        assertEquals(Instant.parse("2000-01-01T00:00:00Z"), Files.getLastModifiedTime(sandbox.resolve(
                ExecutorContract.EXECUTOR_FILE)).toInstant(), "one time for every sandbox's copy of the jar");

        Run xdg = run(sandbox("xdg"), env(Map.of("HOME", tmp.resolve("home").toString(), "XDG_CACHE_HOME",
                tmp.resolve("xdg").toString())));
        assertEquals("make " + tmp.resolve("xdg/portainer/agent-class-data/executor-" + SHA.substring(0, 16)
                + ".jsa"), xdg.output.get(1));
        Run homeless = run(sandbox("homeless"), env(Map.of()));
        assertTrue(homeless.output.get(1).matches("make /var/tmp/portainer-class-data-\\d+/executor-"
                + SHA.substring(0, 16) + "\\.jsa"), homeless.output.toString());
    }

    @Test
    void theUsersOwnArchiveIsMappedFromAnyCopyOfTheJarAndNoOtherIs() throws Exception {
        Map<String, String> env = env(Map.of("HOME", tmp.resolve("home").toString()));
        Path directory = Files.createDirectories(tmp.resolve("home/.cache/portainer/agent-class-data"));
        Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwx------"));
        Path archive = directory.resolve("executor-" + SHA.substring(0, 16) + ".jsa");
        // Made as the executor makes it: from a sandbox's copy of the jar, once the command has set its time.
        Path first = sandbox("first");
        run(first, env);
        Process training = new ProcessBuilder(ExecutorClassData.java().toString(),
                "-XX:ArchiveClassesAtExit=" + archive, "-jar", ExecutorContract.EXECUTOR_FILE,
                ExecutorContract.WARM_UP_FLAG).directory(first.toFile()).redirectErrorStream(true).start();
        String trained = new String(training.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(training.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, training.exitValue(), trained);

        // Another sandbox: a new copy of the jar, written now, as the fetcher writes it.
        Run next = run(sandbox("next"), env);
        assertEquals(List.of("ran"), next.output, "nothing more to make");
        assertTrue(next.mapped, "the stub's class came from the archive");

        // Not the user's own: never mapped (the JVM would trust whatever classes it holds).
        assumeTrue("root".equals(System.getProperty("user.name")), "chown needs root");
        Files.setAttribute(archive, "unix:uid", 65534);
        Run foreign = run(sandbox("foreign"), env);
        assertFalse(foreign.mapped);
        assertEquals("ran", foreign.output.get(0));
    }

    @Test
    void onlyASha256NamesAnArchive() {
        assertThrows(IllegalArgumentException.class, () -> ExecutorCommands.remote(null));
        assertThrows(IllegalArgumentException.class, () -> ExecutorCommands.remote("$(reboot)"));
    }

    private record Run(List<String> output, boolean mapped) {
    }

    /** Runs the command as an agent does; whether the stub's class came from a class-data archive is logged. */
    private Run run(Path sandbox, Map<String, String> env) throws Exception {
        Path classes = sandbox.resolve("classes.log");
        ProcessBuilder builder = new ProcessBuilder("sh", "-c", ExecutorCommands.remote(SHA))
                .directory(sandbox.toFile()).redirectErrorStream(true);
        builder.environment().clear();
        builder.environment().putAll(env);
        builder.environment().put("JAVA_TOOL_OPTIONS", "-Xlog:class+load=info:file=" + classes);
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, process.exitValue(), output);
        boolean mapped = Files.readAllLines(classes).stream().anyMatch(l -> l.contains(
                ClassDataStubMain.class.getName() + " source: shared objects file"));
        return new Run(output.lines().filter(l -> !l.startsWith("Picked up JAVA_TOOL_OPTIONS")).toList(), mapped);
    }

    private static Map<String, String> env(Map<String, String> extra) {
        Map<String, String> env = new HashMap<>(extra);
        env.put("PATH", System.getenv("PATH"));
        env.put("JAVA_HOME", System.getProperty("java.home"));
        return env;
    }

    /** A sandbox with a runnable jar of {@link ClassDataStubMain} named like the executor, written now. */
    private Path sandbox(String name) throws Exception {
        Path sandbox = Files.createDirectories(tmp.resolve(name));
        Path jar = ClassDataStubMain.writeJar(sandbox.resolve(ExecutorContract.EXECUTOR_FILE));
        Files.setLastModifiedTime(jar, FileTime.from(Instant.now()));
        return sandbox;
    }
}

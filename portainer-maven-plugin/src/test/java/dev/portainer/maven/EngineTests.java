package dev.portainer.maven;

import dev.portainer.core.build.FrameworkSettings;
import dev.portainer.core.build.RunSettings;
import dev.portainer.core.scheduler.BuildEvents;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/** What the tests that run the engine on an embedded Mesos with the real executor jar share. */
final class EngineTests {
    private EngineTests() {
    }

    /** Settings for a run without push, its executor jar extracted into {@code work}. */
    static RunSettings settings(Path work) throws IOException {
        return RunSettings.builder().push(false).work(work, ExecutorJar.extractTo(work))
                .framework(new FrameworkSettings("portainer-test", System.getProperty("user.name"), "*",
                        Duration.ofMinutes(1)))
                .offerTimeout(Duration.ofSeconds(60)).build();
    }

    /** Whether this machine has a Docker daemon to build on. */
    static boolean dockerRuns() throws InterruptedException {
        return java.nio.file.Files.exists(Path.of("/var/run/docker.sock")) && docker("version") == 0;
    }

    /** The docker CLI's exit code, or -1 when there is none or it hangs. */
    static int docker(String... args) throws InterruptedException {
        List<String> command = new ArrayList<>(List.of("docker"));
        command.addAll(List.of(args));
        Process process;
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException e) {
            return -1; // no docker CLI
        }
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            return -1;
        }
        return process.exitValue();
    }

    /** What a run told its events, each kind in a list of its own, for a test's assertions. */
    static final class RecordedEvents implements BuildEvents {
        final List<String> infos = new CopyOnWriteArrayList<>();
        final List<String> warnings = new CopyOnWriteArrayList<>();
        /** Every build log line, Docker's warnings among them, in the order they came. */
        final List<String> log = new CopyOnWriteArrayList<>();
        /** The build log lines by task. */
        final Map<String, List<String>> logs = new ConcurrentHashMap<>();
        /** The build log lines that are Docker's warnings. */
        final List<String> dockerWarnings = new CopyOnWriteArrayList<>();

        @Override
        public void info(String message) {
            infos.add(message);
        }

        @Override
        public void log(String taskName, String line) {
            log.add(line);
            logs.computeIfAbsent(taskName, name -> new CopyOnWriteArrayList<>()).add(line);
        }

        @Override
        public void logWarning(String taskName, String line) {
            log.add(line);
            dockerWarnings.add(line);
        }

        @Override
        public void warn(String message) {
            warnings.add(message);
        }
    }
}

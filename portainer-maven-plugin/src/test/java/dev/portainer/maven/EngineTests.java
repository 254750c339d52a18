package dev.portainer.maven;

import dev.portainer.core.build.FrameworkSettings;
import dev.portainer.core.build.RunSettings;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
}

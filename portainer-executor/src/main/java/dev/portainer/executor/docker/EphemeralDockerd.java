package dev.portainer.executor.docker;

import com.github.dockerjava.api.DockerClient;
import dev.portainer.wire.EphemeralDaemon;
import dev.portainer.executor.ExecutorSettings;
import dev.portainer.executor.build.BuildLog;
import dev.portainer.executor.build.ImageBuildException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A {@code dockerd} of the executor's own, for Docker-in-Docker builds (as the original Portainer ran them): its
 * images and layers live in the sandbox, so the agent reclaims them with the sandbox; its socket lives in the
 * container's private /tmp (a sandbox path would be longer than a unix socket path may be), and it is stopped when
 * the build ends.
 */
public final class EphemeralDockerd implements AutoCloseable {
    private static final long START_TIMEOUT_MS = 60_000;
    private static final long STOP_TIMEOUT_MS = 20_000;

    private final Process process;
    private final Path sandbox;
    private final Path runDirectory;
    private final Path logFile;
    private final String host;

    private EphemeralDockerd(Process process, Path sandbox, Path runDirectory, Path logFile, String host) {
        this.process = process;
        this.sandbox = sandbox;
        this.runDirectory = runDirectory;
        this.logFile = logFile;
        this.host = host;
    }

    /** The daemon's address, {@code unix:///tmp/…/docker.sock}. */
    public String host() {
        return host;
    }

    /** The {@code dockerd} command line for {@code settings}; no secrets ever go on it. */
    static List<String> command(EphemeralDaemon settings, Path sandbox, Path runDirectory) {
        List<String> command = new ArrayList<>(List.of("dockerd",
                "--host=unix://" + runDirectory.resolve("docker.sock"),
                "--data-root=" + sandbox.resolve("docker"),
                "--exec-root=" + runDirectory.resolve("exec"),
                "--pidfile=" + runDirectory.resolve("docker.pid"),
                // The container shares the host's network namespace (Mesos HOST mode). The host's iptables rules belong
                // to the agent's daemon: leave them alone. Never --bridge=none: with it dockerd DELETES an existing
                // docker0 at start-up, which would be the agent's. It reuses docker0 instead; builds default to the
                // host network (see DockerImageBuilds) so that no build container takes an address on it.
                "--iptables=false", "--ip-masq=false"));
        for (String registry : settings.insecureRegistries()) {
            command.add("--insecure-registry=" + registry);
        }
        return command;
    }

    /** Starts the daemon and waits until it answers; its output goes to {@code dockerd.log} in the sandbox. */
    public static EphemeralDockerd start(EphemeralDaemon settings, Path sandbox, BuildLog log)
            throws ImageBuildException, InterruptedException {
        Path run;
        Path logFile = sandbox.resolve("dockerd.log");
        Process process;
        try {
            run = Files.createDirectories(Path.of("/tmp", "portainer-dockerd-" + UUID.randomUUID()));
            List<String> command = command(settings, sandbox, run);
            log.line("Starting the build's own Docker daemon: " + String.join(" ", command));
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(logFile.toFile());
            // Like Mesos's executor library, which erases it: the agent's token is the executor's alone.
            builder.environment().remove(ExecutorSettings.AUTHENTICATION_TOKEN);
            process = builder.start();
        } catch (IOException e) {
            throw new ImageBuildException("Cannot start dockerd for the Docker-in-Docker build: " + e.getMessage()
                    + "; the <containerImage> must contain dockerd (with containerd and runc) on its PATH", null, e);
        }
        String host = "unix://" + run.resolve("docker.sock");
        EphemeralDockerd daemon = new EphemeralDockerd(process, sandbox, run, logFile, host);
        long deadline = System.currentTimeMillis() + START_TIMEOUT_MS;
        try (DockerClient client = DockerImageBuilds.connect(host)) {
            while (true) {
                if (!process.isAlive()) {
                    throw new ImageBuildException("dockerd exited with code " + process.exitValue()
                            + " before it was ready: " + daemon.tail() + " (the <containerImage> must run"
                            + " privileged, which Portainer asks Mesos for; see dockerd.log in the sandbox)", null,
                            null);
                }
                if (Files.exists(run.resolve("docker.sock"))) {
                    try {
                        client.pingCmd().exec();
                        log.line("Docker daemon ready at " + host);
                        return daemon;
                    } catch (RuntimeException notYet) {
                        // still starting
                    }
                }
                if (System.currentTimeMillis() > deadline) {
                    throw new ImageBuildException("dockerd did not answer within " + START_TIMEOUT_MS / 1000
                            + " s: " + daemon.tail(), null, null);
                }
                Thread.sleep(200);
            }
        } catch (IOException e) {
            daemon.close();
            throw new ImageBuildException("Cannot talk to the build's own dockerd: " + e.getMessage(), null, e);
        } catch (ImageBuildException | InterruptedException | RuntimeException e) {
            daemon.close();
            throw e;
        }
    }

    private static void unmountUnder(List<Path> roots) {
        List<String> mountPoints = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mounts"), StandardCharsets.UTF_8)) {
                String[] fields = line.split(" ");
                if (fields.length > 1) {
                    // /proc/mounts escapes spaces and other characters as octal
                    String point = fields[1].replace("\\040", " ");
                    if (roots.stream().anyMatch(root -> Path.of(point).startsWith(root))) {
                        mountPoints.add(point);
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            return; // not Linux, or no /proc: nothing we could unmount either
        }
        mountPoints.sort(java.util.Comparator.reverseOrder()); // deepest first
        for (String point : mountPoints) {
            try {
                new ProcessBuilder("umount", "-l", point).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(10, TimeUnit.SECONDS);
            } catch (IOException e) {
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private String tail() {
        try {
            List<String> lines = Files.readAllLines(logFile, StandardCharsets.UTF_8);
            return String.join(" | ", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** Stops the daemon (TERM, then KILL after 20 s) and removes its run directory; the data goes with the sandbox. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(STOP_TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        // dockerd bind-mounts the network namespace under its exec root and, if it could not stop cleanly, may
        // leave layer mounts under its data root: unmount them, or neither directory could be removed.
        unmountUnder(List.of(runDirectory, sandbox.resolve("docker")));
        try (var files = Files.walk(runDirectory)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // /tmp of a container that is about to go away
        }
    }
}

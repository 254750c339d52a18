package dev.portainer.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portainer.local.LocalMesos;
import dev.portainer.local.LocalMesosConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * On a real agent the first executor of the plugin's executor jar makes a class-data archive in its user's cache
 * directory, and the executors after it start from it. The agent here is an embedded Mesos started by the test and
 * reached as a remote master (contexts served over HTTP, the executor jar fetched into each sandbox, no standby
 * executor), its executors given a cache directory of the test's own ({@code XDG_CACHE_HOME}). The second build's
 * context is large: its executor gets it from the Maven JVM while it is still packed.
 */
class AgentClassDataIT {
    @TempDir
    Path cache;

    @Test
    void theFirstBuildOnAnAgentMakesTheArchiveAndTheNextOnesStartFromIt() throws Exception {
        Map<String, String> environment = new HashMap<>(System.getenv());
        environment.put("XDG_CACHE_HOME", cache.toString());
        String image = MavenRun.REGISTRY + "/it/class-data-" + UUID.randomUUID().toString().substring(0, 8);
        try (LocalMesos mesos = LocalMesos.start(LocalMesosConfig.builder().cpus(2).memMb(2048)
                .environment(environment).build())) {
            MesosApi api = MesosApi.of(mesos.masterUri());
            String master = mesos.masterUri().getHost() + ":" + mesos.masterUri().getPort();
            Path project = MavenRun.copyExample("hello-world");

            // A port of the test's own: the executor jar then has the same URL in both builds, and the agent's
            // fetcher cache keeps it.
            String port = "-Dportainer.stagingPort=" + freePort();
            MavenRun.Outcome first = MavenRun.run(project, "package", "portainer:build", "-Dportainer.image=" + image,
                    "-Dportainer.mesosMaster=" + master, port);
            assertTrue(first.succeeded(), first.output());
            // The executor has ended (within the agent's shutdown grace period) with the archive kept whole.
            ItChecks.assertNothingLeftBehind(first, api);
            Path directory = cache.resolve("portainer/agent-class-data");
            List<Path> archives;
            try (Stream<Path> files = Files.list(directory)) {
                archives = files.filter(f -> f.getFileName().toString().endsWith(".jsa")).toList();
            }
            assertEquals(1, archives.size(), archives.toString());
            Path archive = archives.get(0);
            assertTrue(Files.size(archive) > 1_000_000, "an archive of the executor's classes");
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(directory)));
            assertTrue(executorOutput(api, first).contains("portainer-executor: kept the class-data archive "
                    + archive), executorOutput(api, first));

            // The next one with a context large enough to be still packed when its task is launched: the executor gets
            // it from the Maven JVM as it is written, and Docker gets every byte of it.
            Path big = project.resolve("big.bin");
            Process dd = new ProcessBuilder("dd", "if=/dev/urandom", "of=" + big, "bs=1M", "count=100",
                    "status=none").inheritIO().start();
            assertEquals(0, dd.waitFor());
            Files.writeString(project.resolve("Dockerfile"), "RUN sha256sum /app/big.bin\n",
                    java.nio.file.StandardOpenOption.APPEND);
            MavenRun.Outcome next = MavenRun.run(project, "package", "portainer:build", "-Dportainer.image=" + image,
                    "-Dportainer.mesosMaster=" + master, "-Dportainer.push=false", port);
            assertTrue(next.succeeded(), next.output());
            assertTrue(next.output().contains("hello-world: built on"), next.output());
            assertTrue(next.output().contains(sha256(big) + "  /app/big.bin"), next.output());
            String output = executorOutput(api, next);
            assertTrue(output.matches("(?s).*building \\S+ from http://\\S+/context\\.tar\\.gz.*"),
                    "got from the Maven JVM as it was packed: " + output);
            String firstFetch = sandboxFile(api, Footprint.of(first), "stderr");
            String nextFetch = sandboxFile(api, Footprint.of(next), "stderr");
            assertTrue(firstFetch.matches("(?s).*Downloading resource from 'http://\\S+/shared/[0-9a-f]{64}/"
                    + "portainer-executor\\.jar' to '\\S+/fetch/.*"), "into the fetcher cache: " + firstFetch);
            assertTrue(nextFetch.matches("(?s).*Fetching URI 'http://\\S+/shared/[0-9a-f]{64}/portainer-executor"
                    + "\\.jar' from cache.*"), "the jar once per agent: " + nextFetch);
            assertFalse(nextFetch.contains("Downloading resource from 'http"), nextFetch);
            assertTrue(output.contains("portainer-executor: started with the class-data archive " + archive), output);
            assertFalse(output.contains("making the class-data archive"), "made once: " + output);
            ItChecks.assertNothingLeftBehind(next, api);
        } finally {
            Docker.run("rmi", "-f", image + ":1.0.0", image + ":latest");
        }
    }

    private static int freePort() throws Exception {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static String sha256(Path file) throws Exception {
        try (java.io.InputStream in = Files.newInputStream(file)) {
            java.security.MessageDigest digest = java.security.MessageDigest.getInstance("SHA-256");
            in.transferTo(new java.security.DigestOutputStream(java.io.OutputStream.nullOutputStream(), digest));
            return java.util.HexFormat.of().formatHex(digest.digest());
        }
    }

    /** The sandbox stdout of the build's executor, as the agent this machine runs keeps it. */
    static String executorOutput(MesosApi api, MavenRun.Outcome build) throws Exception {
        return executorOutput(api, Footprint.of(build));
    }

    /** The sandbox stdout of the executors of a build's frameworks so far. */
    static String executorOutput(MesosApi api, Footprint build) throws Exception {
        return sandboxFile(api, build, "stdout");
    }

    /** A file of the sandboxes of a build's executors ({@code stderr}: the fetcher's log), as the agent keeps it. */
    static String sandboxFile(MesosApi api, Footprint build, String name) throws Exception {
        StringBuilder output = new StringBuilder();
        for (String framework : build.frameworkIds()) {
            for (String directory : api.executorDirectories(framework)) {
                output.append(Files.readString(Path.of(directory, name)));
            }
        }
        return output.toString();
    }
}

package dev.portainer.executor.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;
import dev.portainer.wire.BuildSpec;
import dev.portainer.wire.EphemeralDaemon;
import dev.portainer.executor.build.ImageBuildResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The executor's own dockerd, started here on the test host (as it would be in the privileged executor container):
 * the build and push go through it, and it is gone afterwards. Needs root and dockerd on the PATH.
 */
@Timeout(180)
class DockerInDockerTest {
    @TempDir
    Path sandbox;

    @Test
    void commandLineKeepsDataInTheSandboxAndListsInsecureRegistries() {
        List<String> command = EphemeralDockerd.command(new EphemeralDaemon(List.of("r1:5000", "r2")), sandbox,
                Path.of("/tmp/run"));
        assertEquals("dockerd", command.get(0));
        assertTrue(command.contains("--data-root=" + sandbox.resolve("docker")), command.toString());
        assertTrue(command.contains("--host=unix:///tmp/run/docker.sock"), command.toString());
        assertTrue(command.contains("--insecure-registry=r1:5000") && command.contains("--insecure-registry=r2"),
                command.toString());
        assertTrue(command.contains("--iptables=false"), command.toString());
        assertFalse(command.stream().anyMatch(a -> a.startsWith("--bridge")),
                "--bridge=none would delete the host's docker0 (shared network namespace): " + command);
    }

    @Test
    void buildsAndPushesThroughItsOwnDaemonAndStopsIt() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "dockerd needs root");
        assumeTrue(List.of("/usr/sbin/dockerd", "/usr/bin/dockerd").stream().anyMatch(p -> Files.isExecutable(Path.of(p))),
                "no dockerd");
        DockerClient host = DockerDaemon.connectOrSkip();
        String image = DockerDaemon.REGISTRY + "/portainer-test/dind-" + UUID.randomUUID().toString().substring(0, 8);
        ContextArchives.tarGz(sandbox.resolve("context.tar.gz"), Map.of("Dockerfile",
                "FROM " + DockerDaemon.REGISTRY + "/portainer/busybox:latest\nRUN echo inside-the-own-daemon\n"));
        BuildSpec spec = BuildSpec.of(image, List.of("1"), "Dockerfile", "context.tar.gz", true, null)
                .with(null, new EphemeralDaemon(List.of(DockerDaemon.REGISTRY)));
        List<String> lines = new CopyOnWriteArrayList<>();
        String bridgeBefore = bridge();

        ImageBuildResult result = new DockerImageBuilds(null).create(spec, sandbox,
                dev.portainer.executor.build.ImageBuilds.fetchedContext(spec, sandbox)).run(lines::add);

        assertTrue(lines.stream().anyMatch(l -> l.startsWith("Docker daemon ready at unix:///tmp/portainer-dockerd-")),
                lines.toString());
        assertTrue(lines.contains("inside-the-own-daemon"), lines.toString());
        assertTrue(result.digest().startsWith("sha256:"), result.toString());
        assertTrue(Files.isDirectory(sandbox.resolve("docker")), "the daemon's data is in the sandbox");
        assertThrows(NotFoundException.class, () -> host.inspectImageCmd(image + ":1").exec(),
                "built by the executor's own daemon, not the host's");
        String sandboxPath = sandbox.toString();
        assertFalse(ProcessHandle.allProcesses().anyMatch(p -> p.info().commandLine().orElse("")
                .contains(sandboxPath)), "dockerd stopped");
        assertFalse(Files.readString(Path.of("/proc/self/mounts")).contains("/tmp/portainer-dockerd-"),
                "no mount of the daemon left behind");
        assertEquals(bridgeBefore, bridge(), "the host's docker0 is untouched (same interface index and address)");
        host.close();
    }

    private static String bridge() throws Exception {
        Process ip = new ProcessBuilder("ip", "-o", "addr", "show", "docker0").redirectErrorStream(true).start();
        String out = new String(ip.getInputStream().readAllBytes());
        ip.waitFor();
        return out.lines().filter(l -> l.contains(" inet ")).findFirst().orElse("no docker0: " + out);
    }
}

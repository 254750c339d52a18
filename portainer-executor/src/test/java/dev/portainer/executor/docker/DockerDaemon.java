package dev.portainer.executor.docker;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.github.dockerjava.api.DockerClient;
import java.nio.file.Files;
import java.nio.file.Path;

/** The test machine's Docker daemon and registry; tests that need them are skipped where they are absent. */
public final class DockerDaemon {
    public static final String REGISTRY = "127.0.0.1:5000";

    private DockerDaemon() {
    }

    public static DockerClient connectOrSkip() {
        assumeTrue(Files.exists(Path.of("/var/run/docker.sock")), "no Docker daemon at /var/run/docker.sock");
        DockerClient docker = DockerImageBuilds.connect(DockerImageBuilds.DEFAULT_DOCKER_HOST);
        try {
            docker.pingCmd().exec();
        } catch (RuntimeException e) {
            assumeTrue(false, "Docker daemon not reachable: " + e.getMessage());
        }
        return docker;
    }

    /** Removes images by reference, ignoring those already gone. */
    public static void remove(DockerClient docker, Iterable<String> refs) {
        for (String ref : refs) {
            try {
                docker.removeImageCmd(ref).withForce(true).exec();
            } catch (RuntimeException alreadyGone) {
                // nothing to clean
            }
        }
    }
}

package dev.portainer.executor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.github.dockerjava.api.DockerClient;
import dev.portainer.executor.docker.ContextArchives;
import dev.portainer.executor.docker.DockerDaemon;
import dev.portainer.executor.docker.TlsDockerProxy;
import dev.portainer.wire.BuildSpec;
import dev.portainer.wire.TaskResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.mesos.v1.Protos.TaskState;
import org.apache.mesos.v1.Protos.TaskStatus;
import org.apache.mesos.v1.executor.Protos.Call;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shaded jar the agents fetch, run as they run it ({@code java -jar}), in each way it reaches classes that only
 * reflection, ServiceLoader or a security provider names: a build pushed over the Unix socket, a build over TLS with
 * the agent's {@code DOCKER_CERT_PATH} (Bouncy Castle reads the PEM files), and the class-data warm-up: a class the jar
 * lacks fails here, not on an agent.
 *
 * <p>Runs in the {@code package} phase, after the shade plugin (see the pom): {@code shadedExecutorJar} names the jar.
 * With {@code -DexecutorClassLoadLog=<dir>} each executor also writes the classes it loaded there.
 */
@Timeout(120)
class ShadedExecutorJarTest {
    @TempDir
    Path sandbox;

    @Test
    void buildsAndPushesThroughTheUnixSocket() throws Exception {
        buildAndPush("unix", Map.of("DOCKER_HOST", "unix:///var/run/docker.sock"));
    }

    @Test
    void buildsOverTlsWithAnRsaKeyInPkcs1FromTheCertPath() throws Exception {
        buildOverTls(TlsDockerProxy.KeyFormat.RSA_PKCS1);
    }

    @Test
    void buildsOverTlsWithAnEcKeyInPkcs8FromTheCertPath() throws Exception {
        buildOverTls(TlsDockerProxy.KeyFormat.EC_PKCS8);
    }

    @Test
    void warmsUpForTheClassDataArchiveWithoutMissingAClass() throws Exception {
        DockerDaemon.connectOrSkip().close();
        Process warmUp = executor("warm-up", List.of(ClassDataWarmUp.FLAG), Map.of());
        boolean ended = warmUp.waitFor(60, TimeUnit.SECONDS);
        warmUp.destroyForcibly();
        assertTrue(ended, "warm-up did not end");
        String stderr = Files.readString(sandbox.resolve("stderr"));
        assertEquals(0, warmUp.exitValue(), stderr);
        assertFalse(stderr.contains("warm-up incomplete"), stderr);
        assertFalse(stderr.contains("ClassNotFound") || stderr.contains("NoClassDefFound"), stderr);
    }

    private void buildOverTls(TlsDockerProxy.KeyFormat key) throws Exception {
        DockerDaemon.connectOrSkip().close();
        Path certs = Files.createDirectories(sandbox.resolve("certs"));
        try (TlsDockerProxy proxy = TlsDockerProxy.start(certs, key)) {
            buildAndPush("tls-" + key.name().toLowerCase(java.util.Locale.ROOT), Map.of(
                    "DOCKER_HOST", proxy.dockerHost(),
                    "DOCKER_TLS_VERIFY", "1",
                    "DOCKER_CERT_PATH", certs.toString()));
            assertTrue(proxy.handshakes() > 0, "the executor spoke TLS with its client certificate");
        }
    }

    private void buildAndPush(String name, Map<String, String> docker) throws Exception {
        DockerClient daemon = DockerDaemon.connectOrSkip();
        String image = DockerDaemon.REGISTRY + "/portainer-test/shaded-" + UUID.randomUUID().toString().substring(0, 8);
        String marker = "shaded-" + name + "-marker";
        ContextArchives.tarGz(sandbox.resolve("context.tar.gz"), Map.of(
                "Dockerfile", "FROM portainer/busybox:latest\nRUN echo " + marker + "\n"));
        BuildSpec spec = BuildSpec.of(image, List.of("t"), "Dockerfile", "context.tar.gz", true, null);
        try (FakeAgent agent = new FakeAgent()) {
            agent.afterSubscribed = FakeAgent.launch(FakeAgent.task("shaded-1", spec.toBytes()));
            Map<String, String> env = new HashMap<>(agent.environment(sandbox));
            env.putAll(docker);

            Process executor = executor(name, List.of(), env);

            boolean ended = executor.waitFor(90, TimeUnit.SECONDS);
            executor.destroyForcibly();
            String output = Files.readString(sandbox.resolve("stdout")) + Files.readString(sandbox.resolve("stderr"));
            assertTrue(ended, "executor did not end: " + output);
            assertEquals(0, executor.exitValue(), output);
            TaskStatus finished = agent.history.stream().filter(c -> c.getType() == Call.Type.UPDATE)
                    .map(c -> c.getUpdate().getStatus()).filter(s -> s.getState() == TaskState.TASK_FINISHED)
                    .findFirst().orElseThrow(() -> new AssertionError("no TASK_FINISHED: " + output));
            TaskResult result = TaskResult.fromBytes(finished.getData().toByteArray());
            assertFalse(result.failed(), result.error() + "\n" + output);
            assertTrue(result.digest().matches("sha256:[0-9a-f]{64}"), result.digest());
            assertTrue(output.lines().anyMatch(marker::equals), output);
        } finally {
            DockerDaemon.remove(daemon, List.of(image + ":t"));
            daemon.close();
        }
    }

    /** {@code java -jar} the shaded jar in the sandbox, as the agent starts it, with only {@code env} of Docker's. */
    private Process executor(String name, List<String> args, Map<String, String> env) throws IOException {
        String jar = System.getProperty("shadedExecutorJar");
        // Unset only in the test phase (-Dtest=… picks this class there too): the jar is made in package.
        assumeTrue(jar != null, "runs in the package phase, after the shade plugin (execution shaded-jar)");
        assertTrue(Files.isRegularFile(Path.of(jar)), "no shaded jar at " + jar);
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        String classLoadLog = System.getProperty("executorClassLoadLog");
        if (classLoadLog != null && !classLoadLog.isBlank()) {
            Files.createDirectories(Path.of(classLoadLog));
            command.add("-Xlog:class+load=info:file=" + Path.of(classLoadLog, name + ".log").toAbsolutePath());
        }
        command.addAll(List.of("-jar", jar));
        command.addAll(args);
        ProcessBuilder process = new ProcessBuilder(command).directory(sandbox.toFile())
                .redirectOutput(sandbox.resolve("stdout").toFile())
                .redirectError(sandbox.resolve("stderr").toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        process.environment().keySet().removeIf(k -> k.startsWith("DOCKER_") || k.startsWith("MESOS_"));
        process.environment().putAll(env);
        return process.start();
    }
}

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
import java.io.DataInputStream;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;
import org.apache.mesos.v1.Protos.TaskState;
import org.apache.mesos.v1.Protos.TaskStatus;
import org.apache.mesos.v1.executor.Protos.Call;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shaded jar the agents fetch, run as they run it ({@code java -jar}), in each way it reaches classes that only
 * reflection, ServiceLoader or a security provider names: a build pushed over the Unix socket, a build over TLS with
 * the agent's {@code DOCKER_CERT_PATH} (Bouncy Castle reads the PEM files), and the class-data warm-up; and, with jdeps,
 * that every class it names is in it. The jar is minimized ({@code minimizeJar}), so a class the minimizer cannot see
 * being used fails here, not on an agent.
 *
 * <p>Runs in the {@code package} phase, after the shade plugin (see the pom): {@code shadedExecutorJar} names the jar.
 * With {@code -DexecutorClassLoadLog=<dir>} each executor also writes the classes it loaded there, which is how the
 * pom's list of classes to keep was checked.
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
    void runsFourBuildsAtOnceInOneJvmWhenAskedForSeveralTasks() throws Exception {
        DockerClient daemon = DockerDaemon.connectOrSkip();
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        List<String> tasks = List.of("several-1", "several-2", "several-3", "several-4");
        List<String> refs = new ArrayList<>();
        try (FakeAgent agent = new FakeAgent()) {
            List<byte[]> specs = new ArrayList<>();
            for (String task : tasks) {
                String image = DockerDaemon.REGISTRY + "/portainer-test/" + task + "-" + suffix;
                refs.add(image + ":t");
                Path context = ContextArchives.tarGz(sandbox.resolve(task + ".tar.gz"), Map.of("Dockerfile",
                        "FROM portainer/busybox:latest\nRUN echo " + task + "-marker && sleep 1\n"));
                specs.add(BuildSpec.of(image, List.of("t"), "Dockerfile", "context.tar.gz", false, null)
                        .withContextUri(context.toUri().toString()).toBytes());
            }
            agent.afterSubscribed = FakeAgent.launch(FakeAgent.task(tasks.get(0), specs.get(0)));
            Map<String, String> env = new HashMap<>(agent.environment(sandbox));
            env.put("DOCKER_HOST", "unix:///var/run/docker.sock");
            env.put(dev.portainer.wire.ExecutorContract.SEVERAL_TASKS_ENV, "1");
            env.put(dev.portainer.wire.ExecutorContract.IDLE_ENV, "1");
            // The options the scheduler starts executors with (core's ExecutorClassData.JAVA_OPTIONS).
            Process executor = executor("several", List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss512k",
                    "-Xmx64m"), List.of(), env);
            agent.awaitUpdate(TaskState.TASK_RUNNING);
            agent.afterSubscribed = null;
            for (int i = 1; i < tasks.size(); i++) {
                agent.send(FakeAgent.launch(FakeAgent.task(tasks.get(i), specs.get(i))));
            }
            long peakKb = 0;
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (executor.isAlive() && System.nanoTime() < end) {
                peakKb = Math.max(peakKb, peakRssKb(executor.pid()));
                Thread.sleep(50);
            }
            boolean ended = executor.waitFor(1, TimeUnit.SECONDS);
            executor.destroyForcibly();
            String output = Files.readString(sandbox.resolve("stdout")) + Files.readString(sandbox.resolve("stderr"));
            assertTrue(ended, "executor did not end: " + output);
            assertEquals(0, executor.exitValue(), output);
            for (String task : tasks) {
                assertTrue(agent.history.stream().filter(c -> c.getType() == Call.Type.UPDATE)
                        .map(c -> c.getUpdate().getStatus()).anyMatch(s -> s.getTaskId().getValue().equals(task)
                                && s.getState() == TaskState.TASK_FINISHED), task + ": " + output);
                assertTrue(Files.readAllLines(sandbox.resolve("tasks/" + task + "/stdout")).contains(task + "-marker"),
                        output);
            }
            System.out.println("several tasks: " + tasks.size() + " builds in one executor JVM (-Xmx64m), peak RSS "
                    + peakKb / 1024 + " MB");
        } finally {
            DockerDaemon.remove(daemon, refs);
            daemon.close();
        }
    }

    /** The process's peak resident set so far ({@code VmHWM}), or 0 once it is gone. */
    private static long peakRssKb(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | RuntimeException gone) {
            // exited between two looks
        }
        return 0;
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

    @Test
    void refersOnlyToClassesItHoldsOrTheJdkHas() throws Exception {
        // On Java 17 and on the newest release the jar has classes for: the minimizer never reads
        // META-INF/versions/N, so a versioned class it kept may use one it dropped.
        Path jar = shadedJar();
        Path jdeps = Path.of(System.getProperty("java.home"), "bin", "jdeps");
        assertTrue(Files.isExecutable(jdeps), "no jdeps in " + jdeps.getParent() + ": run the build with a JDK");
        List<String> missing = new ArrayList<>();
        try (JarFile file = new JarFile(jar.toFile())) {
            int newest = Math.max(17, file.stream().map(e -> e.getName().split("/"))
                    .filter(p -> p.length > 3 && p[0].equals("META-INF") && p[1].equals("versions"))
                    .mapToInt(p -> Integer.parseInt(p[2])).max().orElse(17));
            for (int release : new TreeSet<>(List.of(17, newest))) {
                // A process each: jdeps's ToolProvider fails when run twice in one JVM.
                Process run = new ProcessBuilder(jdeps.toString(), "--multi-release", String.valueOf(release),
                        "--missing-deps", jar.toString()).redirectErrorStream(true).start();
                String out = new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertTrue(run.waitFor(60, TimeUnit.SECONDS), "jdeps did not end");
                assertEquals(0, run.exitValue(), out);
                for (String line : out.lines().toList()) {
                    String[] parts = line.trim().split("\\s+");
                    if (parts.length >= 4 && parts[1].equals("->") && line.endsWith("not found")
                            && !parts[0].endsWith(".jar") && !optional(parts[2])
                            && !onlyNamed(file, parts[0], parts[2])) {
                        missing.add("Java " + release + ": " + parts[0] + " -> " + parts[2]);
                    }
                }
            }
        }
        assertEquals(List.of(), missing, "classes the shaded jar refers to but lacks: keep them in the pom's filters");
    }

    /**
     * Optional dependencies of the libraries, left out of their own poms and so absent from the jar before it was
     * minimized too: commons-compress's codecs, httpclient5's Conscrypt, annotations only tools read.
     */
    private static boolean optional(String className) {
        return List.of("javax.annotation.", "org.objectweb.asm.", "org.tukaani.xz.", "org.immutables.value.",
                "com.github.luben.zstd.", "org.conscrypt.", "org.brotli.dec.").stream().anyMatch(className::startsWith);
    }

    /**
     * Whether {@code user} (jdeps's name: {@code [N/]a.b.C}) only names {@code target} without using it: javac copies a
     * constant's value into the class that reads it and keeps just the owner's name (httpcore5's HttpHeaders, Guava's
     * Chars.BYTES), which is never loaded. Used means a field or method of it, or its type in a descriptor.
     */
    private static boolean onlyNamed(JarFile jar, String user, String target) throws IOException {
        int slash = user.indexOf('/');
        ZipEntry classFile = jar.getEntry(slash > 0 ? "META-INF/versions/" + user.substring(0, slash)
                + "/" + user.substring(slash + 1).replace('.', '/') + ".class" : user.replace('.', '/') + ".class");
        if (classFile == null) {
            return false;
        }
        DataInputStream in = new DataInputStream(jar.getInputStream(classFile));
        in.skipBytes(8);
        int count = in.readUnsignedShort();
        String[] utf8 = new String[count];
        int[] classNames = new int[count];
        List<Integer> memberOwners = new ArrayList<>();
        for (int i = 1; i < count; i++) {
            int tag = in.readUnsignedByte();
            switch (tag) {
                case 1 -> utf8[i] = in.readUTF();
                case 7 -> classNames[i] = in.readUnsignedShort();
                case 9, 10, 11 -> {
                    memberOwners.add(in.readUnsignedShort());
                    in.skipBytes(2);
                }
                case 8, 16, 19, 20 -> in.skipBytes(2);
                case 15 -> in.skipBytes(3);
                case 3, 4, 12, 17, 18 -> in.skipBytes(4);
                case 5, 6 -> {
                    in.skipBytes(8);
                    i++;
                }
                default -> throw new IOException("constant tag " + tag + " in " + classFile);
            }
        }
        String internal = target.replace('.', '/');
        for (int i = 1; i < count; i++) {
            if (classNames[i] != 0 && internal.equals(utf8[classNames[i]]) && memberOwners.contains(i)) {
                return false;
            }
            if (utf8[i] != null && utf8[i].contains("L" + internal + ";")) {
                return false;
            }
        }
        return true;
    }

    private void buildOverTls(TlsDockerProxy.KeyFormat key) throws Exception {
        DockerDaemon.connectOrSkip().close();
        Path certs = Files.createDirectories(sandbox.resolve("certs"));
        try (TlsDockerProxy proxy = TlsDockerProxy.start(certs, key)) {
            buildAndPush("tls-" + key.name().toLowerCase(Locale.ROOT), Map.of(
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

    private static Path shadedJar() {
        String jar = System.getProperty("shadedExecutorJar");
        // Unset only in the test phase (-Dtest=… picks this class there too): the jar is made in package.
        assumeTrue(jar != null, "runs in the package phase, after the shade plugin (execution shaded-jar)");
        assertTrue(Files.isRegularFile(Path.of(jar)), "no shaded jar at " + jar);
        return Path.of(jar);
    }

    /** {@code java -jar} the shaded jar in the sandbox, as the agent starts it, with only {@code env} of Docker's. */
    private Process executor(String name, List<String> args, Map<String, String> env) throws IOException {
        return executor(name, List.of(), args, env);
    }

    /** The same, with {@code jvmOptions} before {@code -jar}. */
    private Process executor(String name, List<String> jvmOptions, List<String> args, Map<String, String> env)
            throws IOException {
        Path jar = shadedJar();
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        String classLoadLog = System.getProperty("executorClassLoadLog");
        if (classLoadLog != null && !classLoadLog.isBlank()) {
            Files.createDirectories(Path.of(classLoadLog));
            command.add("-Xlog:class+load=info:file=" + Path.of(classLoadLog, name + ".log").toAbsolutePath());
        }
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", jar.toString()));
        command.addAll(args);
        ProcessBuilder process = new ProcessBuilder(command).directory(sandbox.toFile())
                .redirectOutput(sandbox.resolve("stdout").toFile())
                .redirectError(sandbox.resolve("stderr").toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        process.environment().keySet().removeIf(k -> k.startsWith("DOCKER_") || k.startsWith("MESOS_"));
        process.environment().putAll(env);
        return process.start();
    }
}

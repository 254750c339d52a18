package dev.portainer.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.portainer.wire.auth.RegistryAuth;
import dev.portainer.wire.auth.RegistryCredentials;
import dev.portainer.wire.auth.Secret;
import dev.portainer.core.build.BuildPlan;
import dev.portainer.core.build.ImageSpec;
import dev.portainer.core.build.RunSettings;
import dev.portainer.core.build.BuildResult;
import dev.portainer.core.build.FrameworkSettings;
import dev.portainer.core.build.ImageBuild;
import dev.portainer.core.build.ImageRef;
import dev.portainer.core.build.LocalMaster;
import dev.portainer.core.scheduler.BuildEvents;
import dev.portainer.local.LocalMesos;
import dev.portainer.local.LocalMesosConfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs a real authenticated build (pull from and push to the htpasswd registry on 127.0.0.1:5001 that
 * scripts/setup.sh starts) on the embedded Mesos in this JVM, and while the executor runs scans every place the
 * password must never be: the master's /state, /tasks, /frameworks, the agent's /state, the executor's command line
 * and environment; then the sandbox's files (stdout, stderr, fetched files) and the staging directory. Each scan has
 * a positive control proving it read the right thing at the right time.
 */
class CredentialLeakTest {
    private static final String REGISTRY = "127.0.0.1:5001";
    private static final String USER = "portainer";
    private static final String PASSWORD = "it-secret-7c1e94d2";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    /** The password in every form a careless channel would carry it. */
    static List<String> forms(String user, String password) {
        Base64.Encoder b64 = Base64.getEncoder();
        return List.of(password,
                b64.encodeToString(password.getBytes(StandardCharsets.UTF_8)),
                b64.encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)),
                // docker-java's X-Registry-Auth header: base64 JSON that includes "password":"…"
                "\"password\":\"" + password + "\"");
    }

    static List<String> leaksIn(String text) {
        return forms(USER, PASSWORD).stream().filter(text::contains).toList();
    }

    @Test
    void scannerFindsEveryFormOfThePassword() {
        for (String form : forms(USER, PASSWORD)) {
            assertFalse(leaksIn("before " + form + " after").isEmpty(), form);
        }
        assertEquals(List.of(), leaksIn("portainer it-secret-other"));
    }

    @Test
    void passwordAppearsNowhereOnTheClusterWhileTheBuildRuns() throws Exception {
        assumeTrue(registryWantsAuth(), "needs the htpasswd registry on " + REGISTRY + " (scripts/setup.sh)");
        Path context = Files.createDirectories(dir.resolve("context"));
        Files.writeString(context.resolve("Dockerfile"), "FROM " + REGISTRY + "/portainer/busybox:latest\n"
                // The shell computes the marker, so only the RUN's output (not Docker's step line) contains it.
                + "RUN echo \"scan-$((40+2))-now\" && sleep 4\n");
        String repo = "it/leak-" + UUID.randomUUID().toString().substring(0, 8);
        Path work = Files.createDirectories(dir.resolve("work"));
        RegistryCredentials credentials = new RegistryCredentials(REGISTRY, USER, Secret.of(PASSWORD),
                "settings.xml server '" + REGISTRY + "'");
        ImageSpec request = ImageSpec.builder(context, ImageRef.parse(REGISTRY + "/" + repo), List.of("1"))
                .resources(0.5, 128)
                .credentials(new RegistryAuth(credentials, Map.of(REGISTRY, credentials))).build();
        RunSettings settings = RunSettings.builder().work(work, ExecutorJar.extractTo(work))
                .framework(new FrameworkSettings("portainer-leak-test", System.getProperty("user.name"), "*",
                        Duration.ofMinutes(1)))
                .offerTimeout(Duration.ofMinutes(2)).build();

        AtomicReference<LocalMesos> mesos = new AtomicReference<>();
        List<String> scanned = new ArrayList<>();
        List<String> leaks = new ArrayList<>();
        List<String> sandboxFiles = new ArrayList<>();
        LocalMaster.Launcher launcher = () -> {
            LocalMesos started = LocalMesos.start(LocalMesosConfig.defaults());
            mesos.set(started);
            return new LocalMaster() {
                @Override
                public URI uri() {
                    return started.masterUri();
                }

                @Override
                public void close() {
                    try {
                        // The sandbox as the build left it: stdout, stderr, every fetched file.
                        scanFiles(started.workDir(), "sandbox", leaks, sandboxFiles);
                    } finally {
                        started.close();
                    }
                }
            };
        };
        BuildEvents events = new BuildEvents() {
            @Override
            public void info(String message) {
                check("build info", message, leaks);
            }

            @Override
            public void log(String taskName, String line) {
                check("build log", line, leaks);
                if (line.contains("scan-42-now") && scanned.isEmpty()) {
                    scanWhileRunning(mesos.get(), request.primaryReference(), scanned, leaks);
                }
            }

            @Override
            public void warn(String message) {
                check("build warning", message, leaks);
            }
        };
        BuildResult result;
        try {
            result = ImageBuild.run(new BuildPlan(settings, List.of(request)), events, launcher).get(0).orThrow();
        } finally {
            Docker.rmi(REGISTRY + "/" + repo + ":1");
            Docker.rmi(REGISTRY + "/portainer/busybox:latest");
        }

        assertNotNull(result.digest(), "pushed to the registry with the credentials");
        assertEquals(List.of("master /state", "master /tasks", "master /frameworks", "agent /state",
                "executor command line", "executor environment"), scanned, "every place was scanned while running");
        assertTrue(sandboxFiles.stream().anyMatch(f -> f.endsWith("stdout")), "the sandbox was scanned: "
                + sandboxFiles);
        scanFiles(work, "staging directory", leaks, new ArrayList<>());
        assertEquals(List.of(), leaks);
    }

    private static void check(String where, String text, List<String> leaks) {
        leaksIn(text).forEach(form -> leaks.add(where + " contains " + form.length() + "-char form of the password"));
    }

    /** Runs on the build's event thread while the executor sleeps in the RUN step. */
    private static void scanWhileRunning(LocalMesos mesos, String taskName, List<String> scanned, List<String> leaks) {
        try {
            for (String endpoint : List.of("/state", "/tasks", "/frameworks")) {
                String body = get(mesos.masterUri().resolve(endpoint));
                assertTrue(body.contains(taskName), "positive control: master " + endpoint + " shows the running task");
                check("master " + endpoint, body, leaks);
                scanned.add("master " + endpoint);
            }
            String agentState = get(mesos.agentUri().resolve("/state"));
            assertTrue(agentState.contains(taskName), "positive control: agent /state shows the running task");
            check("agent /state", agentState, leaks);
            scanned.add("agent /state");

            Path sandboxes = mesos.workDir().toRealPath();
            List<ProcessHandle> executors = ProcessHandle.allProcesses()
                    .filter(p -> p.info().commandLine().orElse("").contains("portainer-executor.jar"))
                    .filter(p -> cwd(p).startsWith(sandboxes))
                    .toList();
            assertEquals(1, executors.size(), "one executor process runs in the sandbox");
            long pid = executors.get(0).pid();
            String cmdline = proc(pid, "cmdline");
            assertTrue(cmdline.contains("portainer-executor.jar"), "positive control: " + cmdline);
            check("executor command line", cmdline, leaks);
            scanned.add("executor command line");
            String environ = proc(pid, "environ");
            assertTrue(environ.contains("MESOS_EXECUTOR_ID="), "positive control: the executor's environment");
            check("executor environment", environ, leaks);
            scanned.add("executor environment");
        } catch (IOException e) {
            throw new AssertionError("scan failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static void scanFiles(Path root, String where, List<String> leaks, List<String> names) {
        if (!Files.isDirectory(root)) {
            return;
        }
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                names.add(file.toString());
                String text = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
                if (file.getFileName().toString().equals("stdout")) {
                    assertTrue(text.contains("scan-42-now"), "positive control: the sandbox stdout has the build log");
                }
                check(where + " file " + root.relativize(file), text, leaks);
            }
        } catch (IOException e) {
            throw new AssertionError("cannot scan " + root, e);
        }
    }

    private static Path cwd(ProcessHandle process) {
        try {
            return Path.of("/proc", Long.toString(process.pid()), "cwd").toRealPath();
        } catch (IOException e) {
            return Path.of("/nonexistent");
        }
    }

    private static String proc(long pid, String name) throws IOException {
        return new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), name)), StandardCharsets.UTF_8)
                .replace('\0', ' ');
    }

    private static String get(URI uri) throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(uri).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), uri.toString());
        return response.body();
    }

    private static boolean registryWantsAuth() {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://" + REGISTRY + "/v2/")).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode() == 401;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Just enough of the docker CLI to clean up. */
    private static final class Docker {
        static void rmi(String image) throws IOException, InterruptedException {
            new ProcessBuilder("docker", "rmi", "-f", image).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
        }
    }
}

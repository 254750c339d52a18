package dev.portainer.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portainer.wire.auth.Secret;
import dev.portainer.wire.LogFrame;
import dev.portainer.wire.TaskResult;
import dev.portainer.local.LocalMesos;
import dev.portainer.local.LocalMesosConfig;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Another local user attacks the embedded agent while a real build runs (a RUN step that sleeps, pushing with
 * credentials to the registry on 127.0.0.1:5001): from another process, as user {@code nobody} where this machine
 * allows it, with everything that is not secret (the agent's port, the framework, executor and task ids). Every
 * attempt is refused with Mesos's answer, and the build still succeeds, pushes, and shows no forged line.
 *
 * <p>Two agents: the default {@code mesosMaster=local} (with the standby executor taking the launch), and an
 * embedded Mesos started by this test with framework credentials, as a cluster whose agents run with
 * {@code --authenticate_http_readonly}, where the build must read its own sandbox back with the framework's
 * credential. The master's side is {@link EmbeddedMasterTrustIT}.
 */
class EmbeddedAgentTrustIT {
    private static final String REGISTRY = RegistryAuthIT.REGISTRY;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String EXECUTOR_CHALLENGE = "Bearer realm=\"mesos-agent-executor\"";
    private static final String FORGED_DIGEST = "sha256:" + "f".repeat(64);
    /** A build's sandbox path as the executor's open files show it. */
    private static final Pattern SANDBOX = Pattern.compile(
            ".*/slaves/[^/]+/frameworks/([^/]+)/executors/([^/]+)/runs/([^/]+)/stdout");

    private String marker;
    private String repo;
    private Path project;

    /** What the attacker knows of the running build: nothing secret. */
    private record Target(URI agent, String frameworkId, String executorId, String taskId, String containerId,
                          Path directory, ProcessHandle executor) {
        String ids() {
            return "\"framework_id\":{\"value\":\"" + frameworkId + "\"},\"executor_id\":{\"value\":\"" + executorId
                    + "\"}";
        }

        String sandbox() {
            return "/frameworks/" + frameworkId + "/executors/" + executorId + "/runs/latest";
        }
    }

    /** An HTTP answer as curl printed it. */
    private record Answer(int status, Map<String, String> headers, String body) {
        String header(String name) {
            return headers.get(name.toLowerCase(java.util.Locale.ROOT));
        }
    }

    @BeforeEach
    void registryWithAuthAndASlowProject() throws Exception {
        int status = HTTP.send(HttpRequest.newBuilder(URI.create("http://" + REGISTRY + "/v2/")).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
        assumeTrue(status == 401, "needs the htpasswd registry on " + REGISTRY + " (scripts/setup.sh)");
        marker = "trust-" + UUID.randomUUID().toString().substring(0, 8);
        repo = "it/" + marker;
        project = MavenRun.copyProject("slow-build");
        // The output line ("<marker> started") differs from the step line that echoes it.
        Files.writeString(project.resolve("Dockerfile"), "FROM 127.0.0.1:5000/portainer/busybox:latest\n"
                + "RUN echo \"" + marker + "\" \"started\" && sleep 12 && echo \"" + marker + "\" \"done\"\n");
    }

    private Path settings(String extraServers) throws IOException {
        return Files.writeString(project.resolve("it-settings.xml"), "<settings><servers><server><id>" + REGISTRY
                + "</id><username>" + RegistryAuthIT.USER + "</username><password>" + RegistryAuthIT.PASSWORD
                + "</password></server>" + extraServers + "</servers></settings>");
    }

    private List<String> buildArgs(String... extra) throws IOException {
        List<String> args = new ArrayList<>(List.of("-s", settings("").toString(), "package", "portainer:build",
                "-Dportainer.image=" + REGISTRY + "/" + repo, "-Dportainer.tags=1.0.0"));
        args.addAll(List.of(extra));
        return args;
    }

    @Test
    void onTheDefaultLocalMesosNoOtherProcessCanActAsTheBuildsExecutor() throws Exception {
        assumeTrue(MavenRun.MESOS_MASTER.equals("local"), "local only: it attacks the agent embedded in Maven; a"
                + " cluster's agents are secured by their operators (the other test here covers an agent with"
                + " credentials)");
        MavenRun.Running build = MavenRun.start(project, buildArgs().toArray(String[]::new));
        try {
            build.awaitOutput(marker + " started", 180);
            Target target = localTarget(build);

            attackTheExecutorApi(target);
            // The local master requires a credential made for this build, and so does its agent's state and files.
            attackTheReadOnlyEndpoints(target, "builder:guessed");

            finishAndCheck(build, target);
        } finally {
            build.process().descendants().forEach(ProcessHandle::destroyForcibly);
            build.process().destroyForcibly();
            removeImage();
        }
    }

    @Test
    void onAnAgentWithCredentialsNobodyElseReadsItsSandboxesOrStateAndTheBuildReadsItsOwnBack() throws Exception {
        String secret = "agent-trust-" + UUID.randomUUID();
        // Every second log frame is dropped, so that the build must read those lines back from its sandbox, with
        // the framework's credential: an anonymous read would be refused like the attacker's below.
        try (LocalMesos mesos = LocalMesos.start(LocalMesosConfig.builder().cpus(2).memMb(2048)
                .executorShutdownGracePeriod(Duration.ofSeconds(2))
                .dropExecutorMessages(index -> index % 2 == 1)
                .frameworkCredentials(Map.of("builder", Secret.of(secret))).build())) {
            String master = mesos.masterUri().getHost() + ":" + mesos.masterUri().getPort();
            List<String> args = buildArgs("-Dportainer.mesosMaster=" + master, "-Dportainer.mesosServerId=mesos-it");
            args.set(1, settings("<server><id>mesos-it</id><username>builder</username><password>" + secret
                    + "</password></server>").toString());
            MavenRun.Running build = MavenRun.start(project, args.toArray(String[]::new));
            try {
                // Not Maven's log: the frame of that line may be one of those dropped, shown only once read back.
                awaitSandboxLine(mesos, marker + " started", build);
                Target target = credentialedTarget(mesos, "builder:" + secret, build);

                attackTheExecutorApi(target);
                attackTheReadOnlyEndpoints(target, "builder:guessed");
                // Positive control: with the framework's credential the very same reads work.
                Answer read = attacker(List.of("-u", "builder:" + secret, target.agent() + "/files/read?offset=0&path="
                        + encode(target.sandbox() + "/stdout")));
                assertEquals(200, read.status(), read.toString());
                assertTrue(read.body().contains(marker), read.body());

                String output = finishAndCheck(build, target);
                assertFalse(output.contains("lost in transit"), "the dropped frames were read back: " + output);
                assertTrue(output.contains(marker + " started") && output.contains(marker + " done"), output);
                ItChecks.assertNothingLeftBehind(build.outcome(), MesosApi.of(mesos.masterUri(),
                        new MesosApi.Credential("builder", secret)));
            } finally {
                build.process().descendants().forEach(ProcessHandle::destroyForcibly);
                build.process().destroyForcibly();
                removeImage();
            }
        }
    }

    private static void awaitSandboxLine(LocalMesos mesos, String line, MavenRun.Running build) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        while (System.nanoTime() < end && build.process().isAlive()) {
            try (Stream<Path> files = Files.walk(mesos.workDir().resolve("slaves"))) {
                for (Path stdout : files.filter(f -> f.getFileName().toString().equals("stdout")).toList()) {
                    if (Files.readString(stdout, StandardCharsets.ISO_8859_1).contains(line)) {
                        return;
                    }
                }
            } catch (IOException | java.io.UncheckedIOException notYet) {
                // the work directory is being written
            }
            Thread.sleep(100);
        }
        throw new AssertionError("'" + line + "' never reached the sandbox: " + build.output());
    }

    /** SUBSCRIBE, a forged TASK_FINISHED and a forged log line, without a token and with a forged one. */
    private void attackTheExecutorApi(Target target) throws Exception {
        String subscribe = "{\"type\":\"SUBSCRIBE\"," + target.ids() + ",\"subscribe\":{}}";
        UUID uuid = UUID.randomUUID();
        String uuidBytes = Base64.getEncoder().encodeToString(java.nio.ByteBuffer.allocate(16)
                .putLong(uuid.getMostSignificantBits()).putLong(uuid.getLeastSignificantBits()).array());
        String result = Base64.getEncoder().encodeToString(TaskResult.success("sha256:" + "e".repeat(64),
                FORGED_DIGEST, List.of(REGISTRY + "/" + repo + ":1.0.0"), 1, 0).toBytes());
        String finished = "{\"type\":\"UPDATE\"," + target.ids() + ",\"update\":{\"status\":{\"task_id\":{\"value\":\""
                + target.taskId() + "\"},\"state\":\"TASK_FINISHED\",\"source\":\"SOURCE_EXECUTOR\",\"uuid\":\""
                + uuidBytes + "\",\"data\":\"" + result + "\"}}}";
        String message = "{\"type\":\"MESSAGE\"," + target.ids() + ",\"message\":{\"data\":\""
                + Base64.getEncoder().encodeToString(LogFrame.of(0, "FORGED-" + marker).toBytes()) + "\"}}";
        String forgedToken = forgedToken(target);
        for (String call : List.of(subscribe, finished, message)) {
            Answer anonymous = attacker(executorCall(target, call, null));
            assertEquals(401, anonymous.status(), call + " -> " + anonymous);
            assertEquals(EXECUTOR_CHALLENGE, anonymous.header("WWW-Authenticate"));
            assertEquals("401 Unauthorized.", anonymous.body());

            Answer forged = attacker(executorCall(target, call, "Bearer " + forgedToken));
            assertEquals(401, forged.status(), call + " -> " + forged);
            assertEquals(EXECUTOR_CHALLENGE + ", error=\"invalid_token\", error_description=\"Invalid JWT: Token "
                    + "signature does not match\"", forged.header("WWW-Authenticate"));
            assertEquals("401 Unauthorized.", forged.body());
        }
        assertTrue(target.executor().isAlive(), "the attacks came while the build's executor ran");
    }

    /**
     * The agent's state, and the sandbox's build log and the packed context, without a credential and with a guess.
     * The context is in the sandbox when the fetcher put it there; one packed for this build on the embedded agent is
     * read in place in the project's target/portainer, readable by its owner only.
     */
    private void attackTheReadOnlyEndpoints(Target target, String guess) throws Exception {
        Optional<String> fetched;
        try (Stream<Path> files = Files.list(target.directory())) {
            // This test runs as the agent's user, so it may look; the attacker may not (the work dir is 0700).
            // A plain tar from the embedded master, a tar.gz from any other (this test's standalone one too).
            fetched = files.map(f -> f.getFileName().toString())
                    .filter(name -> name.equals("context.tar") || name.equals("context.tar.gz")).findFirst();
        }
        String context;
        if (fetched.isPresent()) {
            context = target.sandbox() + "/" + fetched.get();
        } else {
            try (Stream<Path> files = Files.list(project.resolve("target/portainer"))) {
                Path inPlace = files.filter(f -> f.getFileName().toString().matches("context-.*\\.tar(\\.part)?"))
                        .findFirst().orElseThrow(() -> new AssertionError("no packed context in " + target.directory()
                                + " nor in " + project.resolve("target/portainer")));
                assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(inPlace)),
                        "a context read in place is its owner's alone: " + inPlace);
                context = inPlace.toString();
            }
        }
        for (String path : List.of("/state", "/slave(1)/state", "/state.json",
                "/files/read?offset=0&path=" + encode(target.sandbox() + "/stdout"),
                "/files/read?offset=0&path=" + encode(context),
                "/files/read.json?offset=0&path=" + encode(target.sandbox() + "/stdout"))) {
            for (List<String> credentials : List.of(List.<String>of(), List.of("-u", guess))) {
                List<String> curl = new ArrayList<>(credentials);
                curl.add(target.agent() + path);
                Answer answer = attacker(curl);
                assertEquals(401, answer.status(), path + " " + answer);
                assertEquals("Basic realm=\"mesos-agent-readonly\"", answer.header("WWW-Authenticate"), path);
                assertEquals("text/plain; charset=utf-8", answer.header("Content-Type"), path);
                assertEquals("401 Unauthorized.", answer.body(), path);
            }
        }
    }

    /** Waits for the build and checks it succeeded with its own result; returns its output. */
    private String finishAndCheck(MavenRun.Running build, Target target) throws Exception {
        assertTrue(build.process().waitFor(5, TimeUnit.MINUTES), "the build did not finish");
        String output = build.output();
        assertEquals(0, build.process().exitValue(), output);
        assertTrue(output.contains("BUILD SUCCESS"), output);
        assertFalse(output.contains("FORGED-"), "a forged log line reached Maven: " + output);
        assertFalse(output.contains(FORGED_DIGEST), output);
        Path work = project.resolve("target/portainer");
        String digest = Files.readString(work.resolve(marker + ".digest")).trim();
        assertNotEquals(FORGED_DIGEST, digest);
        assertEquals(digest, pushedDigest(), "pushed, with the digest the build reported");
        // This build's executor, not every executor on the machine: other builds may share it (issue 15).
        try {
            target.executor().onExit().get(20, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("the build's executor " + target.executor().pid() + " still runs", e);
        }
        return output;
    }

    // ---------------------------------------------------------------- what the attacker finds out

    /**
     * The default local Mesos runs in the Maven JVM: its agent is one of the ports that JVM listens on
     * ({@code ss -ltnp}), and the executor's open sandbox files name the ids, as the agent's /state would.
     */
    private static Target localTarget(MavenRun.Running build) throws Exception {
        long maven = build.process().pid();
        Matcher ids = null;
        ProcessHandle executor = null;
        for (ProcessHandle p : build.process().descendants().toList()) {
            if (p.info().commandLine().orElse("").contains("portainer-executor.jar")) {
                ids = openSandboxFile(p.pid()).orElse(null);
                if (ids != null) {
                    executor = p;
                    break;
                }
            }
        }
        assertTrue(ids != null, "no executor of this build has its sandbox's stdout open");
        URI agent = null;
        for (int port : listeningPorts(maven)) {
            URI candidate = URI.create("http://127.0.0.1:" + port);
            // The master and the stager answer 404 here; only the agent has an executor API.
            Answer probe = attacker(executorCall(candidate, "{}"));
            if (probe.status() != 404 && probe.status() != 0) {
                agent = candidate;
            }
        }
        assertTrue(agent != null, "no executor API among the Maven JVM's ports " + listeningPorts(maven));
        return new Target(agent, ids.group(1), ids.group(2), taskId(build, ids.group(2)), ids.group(3),
                Path.of(ids.group(0)).getParent(), executor);
    }

    private static Optional<Matcher> openSandboxFile(long pid) {
        try (Stream<Path> fds = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    Matcher m = SANDBOX.matcher(Files.readSymbolicLink(fd).toString());
                    if (m.matches()) {
                        return Optional.of(m);
                    }
                } catch (IOException gone) {
                    // closed meanwhile
                }
            }
        } catch (IOException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    private static List<Integer> listeningPorts(long pid) throws Exception {
        Process ss = new ProcessBuilder("ss", "-ltnpH").redirectErrorStream(true).start();
        String out = new String(ss.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        ss.waitFor();
        List<Integer> ports = new ArrayList<>();
        for (String line : out.lines().filter(l -> l.contains("pid=" + pid + ",")).toList()) {
            // A JVM's loopback sockets are IPv6 ones on a dual-stack host: [::ffff:127.0.0.1]:port.
            Matcher m = Pattern.compile("127\\.0\\.0\\.1]?:(\\d+)").matcher(line);
            if (m.find()) {
                ports.add(Integer.parseInt(m.group(1)));
            }
        }
        return ports;
    }

    /** The task id the build printed ("Launched <id> on …"), as the master's /tasks would show it. */
    private static String taskId(MavenRun.Running build, String executorId) throws IOException {
        Matcher m = Pattern.compile("Launched (\\S+) on ").matcher(build.output());
        return m.find() ? m.group(1) : executorId;
    }

    /** On an agent whose state needs credentials, the test reads it with them, as the framework could. */
    private static Target credentialedTarget(LocalMesos mesos, String userPass, MavenRun.Running build)
            throws Exception {
        JsonNode state = JSON.readTree(HTTP.send(HttpRequest.newBuilder(mesos.agentUri().resolve("/state"))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                        userPass.getBytes(StandardCharsets.UTF_8))).build(),
                HttpResponse.BodyHandlers.ofString()).body());
        JsonNode framework = state.at("/frameworks/0");
        JsonNode executor = framework.at("/executors/0");
        String directory = executor.path("directory").asText();
        ProcessHandle process = ProcessHandle.current().descendants()
                .filter(p -> p.info().commandLine().orElse("").contains("portainer-executor.jar")
                        && openSandboxFile(p.pid()).isPresent())
                .findFirst().orElseThrow(() -> new AssertionError("no executor runs on the test's agent"));
        return new Target(mesos.agentUri(), framework.path("id").asText(), executor.path("id").asText(),
                executor.at("/tasks/0/id").asText(taskId(build, executor.path("id").asText())),
                Path.of(directory).getFileName().toString(), Path.of(directory), process);
    }

    /** A token as a guesser would make it: the right claims, HS256, a key of its own. */
    private static String forgedToken(Target target) throws Exception {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String input = b64.encodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8))
                + "." + b64.encodeToString(("{\"cid\":\"" + target.containerId() + "\",\"eid\":\""
                + target.executorId() + "\",\"fid\":\"" + target.frameworkId() + "\"}")
                .getBytes(StandardCharsets.UTF_8));
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec("a-guessed-key-of-thirty-two-bytes".getBytes(StandardCharsets.UTF_8),
                "HmacSHA256"));
        return input + "." + b64.encodeToString(mac.doFinal(input.getBytes(StandardCharsets.US_ASCII)));
    }

    // ---------------------------------------------------------------- the attacker

    private static List<String> executorCall(Target target, String body, String authorization) {
        List<String> curl = new ArrayList<>(List.of("-X", "POST", "-H", "Content-Type: application/json",
                "-H", "Accept: application/json", "-d", body));
        if (authorization != null) {
            curl.addAll(List.of("-H", "Authorization: " + authorization));
        }
        curl.add(target.agent() + "/api/v1/executor");
        return curl;
    }

    private static List<String> executorCall(URI agent, String body) {
        return List.of("-X", "POST", "-H", "Content-Type: application/json", "-d", body, agent + "/api/v1/executor");
    }

    /** Whether this machine lets the test run the attacker as another user (it does when the tests run as root). */
    private static final boolean OTHER_USER = canRunAsNobody();

    private static boolean canRunAsNobody() {
        boolean can;
        try {
            can = new ProcessBuilder("runuser", "-u", "nobody", "--", "true").redirectErrorStream(true).start()
                    .waitFor() == 0;
        } catch (IOException | InterruptedException e) {
            can = false;
        }
        System.out.println("EmbeddedAgentTrustIT: the attacker runs as " + (can ? "user nobody"
                : "this user, in processes of its own (runuser -u nobody is not allowed here)"));
        return can;
    }

    /**
     * curl in a process of its own, as user nobody where possible; {@code -m 5} because an accepted SUBSCRIBE
     * would stream forever. Status 0 when nothing answered.
     */
    private static Answer attacker(List<String> curlArgs) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        if (OTHER_USER) {
            command.addAll(List.of("runuser", "-u", "nobody", "--"));
        }
        command.addAll(List.of("curl", "-s", "-i", "-m", "5"));
        command.addAll(curlArgs);
        Process curl = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        curl.waitFor();
        int split = out.indexOf("\r\n\r\n");
        if (!out.startsWith("HTTP/") || split < 0) {
            return new Answer(0, Map.of(), out);
        }
        List<String> head = out.substring(0, split).lines().toList();
        Map<String, String> headers = new java.util.HashMap<>();
        for (String line : head.subList(1, head.size())) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                headers.put(line.substring(0, colon).trim().toLowerCase(java.util.Locale.ROOT),
                        line.substring(colon + 1).trim());
            }
        }
        return new Answer(Integer.parseInt(head.get(0).split(" ")[1]), headers, out.substring(split + 4));
    }

    // ---------------------------------------------------------------- the registry

    private String pushedDigest() throws IOException, InterruptedException {
        HttpResponse<Void> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://" + REGISTRY + "/v2/" + repo
                        + "/manifests/1.0.0"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody())
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString((RegistryAuthIT.USER + ":"
                        + RegistryAuthIT.PASSWORD).getBytes(StandardCharsets.UTF_8)))
                .header("Accept", "application/vnd.docker.distribution.manifest.v2+json")
                .build(), HttpResponse.BodyHandlers.discarding());
        assertEquals(200, response.statusCode(), REGISTRY + "/" + repo + ":1.0.0 was not pushed");
        return response.headers().firstValue("Docker-Content-Digest").orElseThrow();
    }

    private void removeImage() throws IOException, InterruptedException {
        Docker.run("rmi", "-f", REGISTRY + "/" + repo + ":1.0.0");
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }
}

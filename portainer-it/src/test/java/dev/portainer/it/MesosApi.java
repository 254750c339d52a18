package dev.portainer.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A Mesos master's and its agents' read-only HTTP endpoints as an operator reads them (the master's
 * {@code /frameworks}, {@code /tasks} and {@code /state}, each agent's {@code /state}), to tell what became of one
 * build's framework, its tasks and its executors. With HTTP basic authentication when the cluster requires it
 * ({@code --authenticate_http_readonly}).
 */
final class MesosApi {
    /** A principal and its secret; {@link #toString()} hides the secret. */
    record Credential(String principal, String secret) {
        @Override
        public String toString() {
            return principal + ":****";
        }
    }

    /** Where a framework stands on the master. */
    enum FrameworkState {
        /** Registered, its scheduler connected. */
        ACTIVE,
        /** Registered, its scheduler gone: the master waits for it until its failover timeout. */
        INACTIVE,
        /** Torn down or timed out: among the completed frameworks. */
        COMPLETED,
        /** Not known: never registered here, or dropped from the bounded list of completed frameworks. */
        UNKNOWN
    }

    static final Set<String> TERMINAL = Set.of("TASK_FINISHED", "TASK_FAILED", "TASK_KILLED", "TASK_LOST",
            "TASK_ERROR", "TASK_DROPPED", "TASK_GONE", "TASK_GONE_BY_OPERATOR");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CREDENTIAL_FIX = "give the cluster's read-only credential with "
            + "-Dportainer.it.mesosPrincipal=... and PORTAINER_IT_MESOS_SECRET (or -Dportainer.it.mesosSecret=...)";

    // Redirects are followed here, not by the client: a non-leading master's 307 must get the credential again.
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final Optional<Credential> credential;
    private volatile URI master;

    private MesosApi(URI master, Optional<Credential> credential) {
        this.master = master;
        this.credential = credential;
    }

    /**
     * The credential given to the suite for its cluster, if any; the secret from -Dportainer.it.mesosSecret or, to
     * keep it off command lines that every user of the machine can read, PORTAINER_IT_MESOS_SECRET.
     */
    static Optional<Credential> suiteCredential() {
        String principal = System.getProperty("portainer.it.mesosPrincipal", "");
        if (principal.isBlank()) {
            return Optional.empty();
        }
        String secret = System.getProperty("portainer.it.mesosSecret", "");
        if (secret.isEmpty()) {
            secret = System.getenv().getOrDefault("PORTAINER_IT_MESOS_SECRET", "");
        }
        return Optional.of(new Credential(principal, secret));
    }

    /**
     * The cluster the suite runs on, or empty for {@code local}: the embedded master is the build's own, answers only
     * its scheduler and ends with Maven, so nothing can be asked of it afterwards.
     */
    static Optional<MesosApi> ofSuite() {
        String master = MavenRun.MESOS_MASTER;
        if (master.equals("local")) {
            return Optional.empty();
        }
        if (master.startsWith("zk://")) {
            throw new IllegalStateException("The end-to-end checks read the master's HTTP API: give"
                    + " -Dportainer.it.mesosMaster as host:port of a master (a non-leading one redirects), not "
                    + master);
        }
        return Optional.of(new MesosApi(URI.create(master.contains("://") ? master : "http://" + master),
                suiteCredential()));
    }

    /** A master whose endpoints are open (one a test started, say). */
    static MesosApi of(URI master) {
        return new MesosApi(master, Optional.empty());
    }

    /** A master whose endpoints require {@code credential} (one a test started, say). */
    static MesosApi of(URI master, Credential credential) {
        return new MesosApi(master, Optional.of(credential));
    }

    FrameworkState framework(String frameworkId) throws IOException, InterruptedException {
        JsonNode answer = get(master, "/frameworks?framework_id=" + encode(frameworkId));
        for (JsonNode framework : answer.path("frameworks")) {
            if (framework.path("id").asText().equals(frameworkId)) {
                return framework.path("active").asBoolean() ? FrameworkState.ACTIVE : FrameworkState.INACTIVE;
            }
        }
        for (JsonNode framework : answer.path("completed_frameworks")) {
            if (framework.path("id").asText().equals(frameworkId)) {
                return FrameworkState.COMPLETED;
            }
        }
        return FrameworkState.UNKNOWN;
    }

    /** The ids of the frameworks registered with the master, connected or not. */
    List<String> registeredFrameworks() throws IOException, InterruptedException {
        List<String> ids = new ArrayList<>();
        get(master, "/frameworks").path("frameworks").forEach(f -> ids.add(f.path("id").asText()));
        return ids;
    }

    /** The framework's tasks as the master lists them (a completed framework's too): id to state. */
    Map<String, String> tasks(String frameworkId) throws IOException, InterruptedException {
        Map<String, String> tasks = new LinkedHashMap<>();
        for (JsonNode task : get(master, "/tasks?limit=1000&framework_id=" + encode(frameworkId)).path("tasks")) {
            tasks.put(task.path("id").asText(), task.path("state").asText());
        }
        return tasks;
    }

    /** Each registered agent's base URI, from its pid ({@code slave(1)@ip:port}) in the master's /state. */
    List<URI> agents() throws IOException, InterruptedException {
        List<URI> agents = new ArrayList<>();
        for (JsonNode agent : get(master, "/state").path("slaves")) {
            String pid = agent.path("pid").asText();
            String address = pid.contains("@") ? pid.substring(pid.indexOf('@') + 1)
                    : agent.path("hostname").asText() + ":" + agent.path("port").asInt();
            agents.add(URI.create("http://" + address));
        }
        return agents;
    }

    /** The framework's executors that an agent still runs, as "agent executor-id directory". */
    List<String> liveExecutors(String frameworkId) throws IOException, InterruptedException {
        List<String> live = new ArrayList<>();
        for (URI agent : agents()) {
            for (JsonNode framework : get(agent, "/state").path("frameworks")) {
                if (framework.path("id").asText().equals(frameworkId)) {
                    for (JsonNode executor : framework.path("executors")) {
                        live.add(agent + " " + executor.path("id").asText() + " "
                                + executor.path("directory").asText());
                    }
                }
            }
        }
        return live;
    }

    /** The sandboxes of the framework's executors, running or not, on every agent. */
    List<String> executorDirectories(String frameworkId) throws IOException, InterruptedException {
        List<String> directories = new ArrayList<>();
        for (URI agent : agents()) {
            JsonNode state = get(agent, "/state");
            for (String list : List.of("frameworks", "completed_frameworks")) {
                for (JsonNode framework : state.path(list)) {
                    if (framework.path("id").asText().equals(frameworkId)) {
                        for (String executors : List.of("executors", "completed_executors")) {
                            framework.path(executors).forEach(e -> directories.add(e.path("directory").asText()));
                        }
                    }
                }
            }
        }
        return directories;
    }

    /**
     * Waits until the framework has ended everywhere: completed (or forgotten) on the master, every task of it in a
     * terminal state, no agent running an executor of it; fails naming what remains at {@code deadline}
     * ({@link System#nanoTime()}).
     */
    void awaitEnded(String frameworkId, long deadline) throws IOException, InterruptedException {
        while (true) {
            List<String> remains = new ArrayList<>();
            FrameworkState state = framework(frameworkId);
            if (state == FrameworkState.ACTIVE || state == FrameworkState.INACTIVE) {
                remains.add("the master has framework " + frameworkId + " " + state);
            }
            tasks(frameworkId).forEach((task, taskState) -> {
                if (!TERMINAL.contains(taskState)) {
                    remains.add("its task " + task + " is " + taskState);
                }
            });
            liveExecutors(frameworkId).forEach(e -> remains.add("an agent runs its executor: " + e));
            if (remains.isEmpty()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("The build's framework has not ended at " + master + ": " + remains);
            }
            Thread.sleep(250);
        }
    }

    private JsonNode get(URI base, String path) throws IOException, InterruptedException {
        URI uri = base.resolve(path);
        for (int hop = 0; hop < 5; hop++) {
            HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                    .header("Accept", "application/json");
            credential.ifPresent(c -> request.header("Authorization", "Basic " + Base64.getEncoder()
                    .encodeToString((c.principal() + ":" + c.secret()).getBytes(StandardCharsets.UTF_8))));
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            int status = response.statusCode();
            if (status == 307 && response.headers().firstValue("Location").isPresent()) {
                // A non-leading master names the leader, protocol-relative: ask it, and from now on first.
                URI leader = uri.resolve(response.headers().firstValue("Location").get());
                if (base.equals(master)) {
                    master = URI.create(leader.getScheme() + "://" + leader.getRawAuthority());
                }
                uri = leader;
                continue;
            }
            if (status == 401) {
                throw new AssertionError("GET " + uri + " answered 401 (" + response.headers()
                        .firstValue("WWW-Authenticate").orElse("no challenge") + ") with credential " + credential
                        + ": " + CREDENTIAL_FIX);
            }
            if (status != 200) {
                throw new AssertionError("GET " + uri + " answered " + status + ": " + response.body());
            }
            return JSON.readTree(response.body());
        }
        throw new AssertionError("GET " + base.resolve(path) + ": too many redirects");
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "Mesos master " + master;
    }
}

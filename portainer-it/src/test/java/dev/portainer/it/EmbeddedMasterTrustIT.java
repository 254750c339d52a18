package dev.portainer.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Another process on the machine — another user too, where the tests may switch users — attacks the embedded Mesos
 * of a running build: it can neither read the master's state nor register a framework of its own (which would run
 * commands as Maven's user) nor take over the build's framework (which fails the build). Local only: a real
 * cluster's master is secured by its operators.
 */
class EmbeddedMasterTrustIT {
    private static final Pattern FRAMEWORK = Pattern.compile("as framework (\\S+)");

    /** What one HTTP exchange of the attacker got back. */
    private record Answer(int status, String challenge, String body) {
    }

    @Test
    void anotherLocalProcessCanNeitherReadNorDriveTheEmbeddedMaster() throws Exception {
        assumeTrue(MavenRun.MESOS_MASTER.equals("local"), "local only: the embedded master is this build's own");
        String marker = "trust-" + UUID.randomUUID().toString().substring(0, 8);
        String image = MavenRun.REGISTRY + "/it/" + marker;
        Path project = MavenRun.copyProject("slow-build");
        Files.writeString(project.resolve("Dockerfile"), "FROM 127.0.0.1:5000/portainer/busybox:latest\n"
                + "RUN echo \"" + marker + "\" \"started\" && sleep 8 && echo \"" + marker + "\" \"done\"\n");
        MavenRun.Running build = MavenRun.start(project, "package", "portainer:build", "-Dportainer.image=" + image,
                "-Dportainer.tags=1");
        try {
            build.awaitOutput(marker + " started", 120);
            Matcher id = FRAMEWORK.matcher(build.output());
            assertTrue(id.find(), build.output());
            String frameworkId = id.group(1);
            List<Integer> ports = listeningPorts(build.process().pid());
            assertFalse(ports.isEmpty(), "the embedded Mesos listens");

            for (List<String> attacker : attackers()) {
                Integer master = null;
                for (int port : ports) {
                    Answer state = curl(attacker, "GET", port, "/state", null);
                    if (state.challenge().contains("mesos-master") || state.body().contains("\"leader\"")) {
                        master = port;
                    }
                }
                assertTrue(master != null, attacker + " found no master among " + ports);
                String who = String.join(" ", attacker);
                for (String path : List.of("/state", "/frameworks", "/tasks", "/master/state")) {
                    assertRefused(curl(attacker, "GET", master, path, null), "mesos-master-readonly", who + " " + path);
                }
                // A framework of its own would be offered the agent and could run any command as Maven's user.
                assertRefused(curl(attacker, "POST", master, "/api/v1/scheduler", "{\"type\":\"SUBSCRIBE\","
                        + "\"subscribe\":{\"framework_info\":{\"user\":\"root\",\"name\":\"intruder\"}}}"),
                        "mesos-master-scheduler", who + " SUBSCRIBE");
                // Subscribing with the build's framework id would fail the build over to the intruder.
                assertRefused(curl(attacker, "POST", master, "/api/v1/scheduler", "{\"type\":\"SUBSCRIBE\","
                        + "\"framework_id\":{\"value\":\"" + frameworkId + "\"},\"subscribe\":{\"framework_info\":"
                        + "{\"user\":\"root\",\"name\":\"intruder\",\"id\":{\"value\":\"" + frameworkId + "\"}}}}"),
                        "mesos-master-scheduler", who + " SUBSCRIBE as the build's framework");
                assertRefused(curl(attacker, "POST", master, "/api/v1/scheduler", "{\"type\":\"TEARDOWN\","
                        + "\"framework_id\":{\"value\":\"" + frameworkId + "\"}}"), "mesos-master-scheduler",
                        who + " TEARDOWN");
            }

            assertTrue(build.process().waitFor(3, TimeUnit.MINUTES), "the build did not finish: " + build.output());
            String output = build.output();
            assertEquals(0, build.process().exitValue(), output);
            assertTrue(output.contains(marker + " done") && output.contains("BUILD SUCCESS"), output);
            assertFalse(output.contains("failed over"), output);
            assertFalse(output.contains("intruder"), output);
            assertEquals(Files.readString(project.resolve("target/portainer/" + marker + ".digest")).trim(),
                    Registry.digest("it/" + marker, "1"), "the build's own image was pushed");
        } finally {
            // a failed assertion must not leave this build's executors behind to fail later checks
            build.process().descendants().forEach(ProcessHandle::destroyForcibly);
            build.process().destroyForcibly();
            Docker.run("rmi", "-f", image + ":1");
        }
        ItChecks.assertNothingLeftBehind(build.outcome());
    }

    private static void assertRefused(Answer answer, String realm, String what) {
        assertEquals(401, answer.status(), what + ": " + answer);
        assertEquals("Basic realm=\"" + realm + "\"", answer.challenge(), what);
        assertEquals("401 Unauthorized.", answer.body(), what);
    }

    /** curl as this user, and as {@code nobody} when this process may switch to it. */
    private static List<List<String>> attackers() throws IOException, InterruptedException {
        List<List<String>> attackers = new ArrayList<>();
        attackers.add(List.of());
        if ("root".equals(System.getProperty("user.name")) && Files.isExecutable(Path.of("/usr/sbin/runuser"))) {
            attackers.add(List.of("/usr/sbin/runuser", "-u", "nobody", "--"));
        }
        return attackers;
    }

    private static Answer curl(List<String> as, String method, int port, String path, String json)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(as);
        command.addAll(List.of("curl", "-s", "-i", "-m", "5", "-X", method));
        if (json != null) {
            command.addAll(List.of("-H", "Content-Type: application/json", "-H", "Accept: application/json",
                    "-d", json));
        }
        command.add("http://127.0.0.1:" + port + path);
        Process curl = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        curl.waitFor(10, TimeUnit.SECONDS);
        int status = -1;
        String challenge = "";
        int headersEnd = out.indexOf("\r\n\r\n");
        String head = headersEnd < 0 ? out : out.substring(0, headersEnd);
        for (String line : head.split("\r\n")) {
            if (line.startsWith("HTTP/")) {
                status = Integer.parseInt(line.split(" ")[1]);
            } else if (line.toLowerCase(java.util.Locale.ROOT).startsWith("www-authenticate:")) {
                challenge = line.substring(line.indexOf(':') + 1).trim();
            }
        }
        return new Answer(status, challenge, headersEnd < 0 ? "" : out.substring(headersEnd + 4));
    }

    /** The TCP ports the process listens on, from {@code ss}. */
    private static List<Integer> listeningPorts(long pid) throws IOException, InterruptedException {
        Process ss = new ProcessBuilder("ss", "-ltnpH").redirectErrorStream(true).start();
        String out = new String(ss.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        ss.waitFor(10, TimeUnit.SECONDS);
        List<Integer> ports = new ArrayList<>();
        for (String line : out.split("\n")) {
            if (line.contains("pid=" + pid + ",")) {
                String local = line.trim().split("\\s+")[3];
                ports.add(Integer.parseInt(local.substring(local.lastIndexOf(':') + 1)));
            }
        }
        return ports;
    }
}

package dev.portainer.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Credentials from settings.xml against the htpasswd registry on 127.0.0.1:5001 (scripts/setup.sh): the right ones
 * pull the base image and push; wrong or missing ones fail naming the settings.xml server id; and with -X the
 * password appears nowhere in the Maven output or the project's files. The Mesos side of the leak check (state
 * endpoints, executor command line and environment, sandbox) is CredentialLeakTest in portainer-maven-plugin.
 */
class RegistryAuthIT {
    static final String REGISTRY = "127.0.0.1:5001";
    static final String USER = "portainer";
    static final String PASSWORD = "it-secret-7c1e94d2";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private String repo;
    private Path project;

    @BeforeEach
    void registryWithAuth() throws Exception {
        int status = HTTP.send(HttpRequest.newBuilder(URI.create("http://" + REGISTRY + "/v2/")).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
        assumeTrue(status == 401, "needs the htpasswd registry on " + REGISTRY + " (scripts/setup.sh)");
        repo = "it/auth-" + UUID.randomUUID().toString().substring(0, 8);
        project = MavenRun.copyProject("registry-auth");
        // The base image must come from the registry, with credentials, every time.
        Docker.run("rmi", "-f", REGISTRY + "/portainer/busybox:latest");
    }

    @AfterEach
    void removeImages() throws Exception {
        Docker.run("rmi", "-f", REGISTRY + "/" + repo + ":1.0.0", REGISTRY + "/portainer/busybox:latest");
    }

    private Path settings(String password) throws IOException {
        return Files.writeString(project.resolve("it-settings.xml"), "<settings><servers><server>"
                + "<id>" + REGISTRY + "</id><username>" + USER + "</username><password>" + password + "</password>"
                + "</server></servers></settings>");
    }

    private MavenRun.Outcome build(Path settings, String... extra) throws Exception {
        List<String> args = new java.util.ArrayList<>(List.of("package", "portainer:build",
                "-Dportainer.image=" + REGISTRY + "/" + repo, "-Dportainer.tags=1.0.0"));
        args.addAll(List.of(extra));
        return MavenRun.runWithSettings(project, settings, args.toArray(String[]::new));
    }

    @Test
    void pullsAndPushesWithSettingsXmlCredentialsAndNeverPrintsThem() throws Exception {
        MavenRun.Outcome build = build(settings(PASSWORD), "-X");

        assertTrue(build.succeeded(), build.output());
        assertTrue(build.output().contains("pulled-with-credentials"), "the base image came from " + REGISTRY);
        assertTrue(build.output().contains("push to " + REGISTRY + " as '" + USER
                + "' from settings.xml server '" + REGISTRY + "'"), build.output());
        assertEquals(200, manifestStatus(repo, "1.0.0"), "pushed");
        // Positive control: -X really is on (Maven prints the Mojo's parameters), so the scan below means something.
        assertTrue(build.output().contains("[DEBUG]") && build.output().contains("(f) image = "), "debug output");
        assertEquals(List.of(), leaks("Maven -X output", build.output()));
        try (Stream<Path> files = Files.walk(project)) {
            for (Path file : files.filter(Files::isRegularFile)
                    .filter(f -> !f.getFileName().toString().equals("it-settings.xml")).toList()) {
                assertEquals(List.of(), leaks(file.toString(), Files.readString(file, StandardCharsets.ISO_8859_1)));
            }
        }
        assertTrue(!leaks("control", Files.readString(project.resolve("it-settings.xml"))).isEmpty(),
                "positive control: the scan finds the password where it is");
        ItChecks.assertNothingLeftBehind(build);
    }

    @Test
    void wrongPasswordFailsNamingTheSettingsServer() throws Exception {
        MavenRun.Outcome build = build(settings("wrong-" + PASSWORD), "-Dportainer.dockerfile=push-only.Dockerfile");

        assertNotEquals(0, build.exitCode(), build.output());
        assertTrue(build.output().contains("BUILD FAILURE"), build.output());
        assertTrue(build.output().contains("the registry " + REGISTRY + " refused the credentials from settings.xml "
                + "server '" + REGISTRY + "'"), build.output());
        assertEquals(404, manifestStatus(repo, "1.0.0"));
        ItChecks.assertNothingLeftBehind(build);
    }

    @Test
    void missingCredentialsFailNamingTheServerToAdd() throws Exception {
        MavenRun.Outcome build = build(null, "-Dportainer.dockerfile=push-only.Dockerfile");

        assertNotEquals(0, build.exitCode(), build.output());
        assertTrue(build.output().contains("the registry " + REGISTRY + " wants credentials and none were found")
                && build.output().contains("settings.xml server '" + REGISTRY + "'"), build.output());
        ItChecks.assertNothingLeftBehind(build);
    }

    private static List<String> leaks(String where, String text) {
        Base64.Encoder b64 = Base64.getEncoder();
        return Stream.of(PASSWORD, b64.encodeToString(PASSWORD.getBytes(StandardCharsets.UTF_8)),
                        b64.encodeToString((USER + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8)))
                .filter(text::contains).map(form -> where + " contains a form of the password").toList();
    }

    private static int manifestStatus(String repo, String tag) throws IOException, InterruptedException {
        String basic = Base64.getEncoder().encodeToString((USER + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8));
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://" + REGISTRY + "/v2/" + repo + "/manifests/" + tag))
                .method("HEAD", HttpRequest.BodyPublishers.noBody())
                .header("Authorization", "Basic " + basic)
                .header("Accept", "application/vnd.docker.distribution.manifest.v2+json")
                .build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}

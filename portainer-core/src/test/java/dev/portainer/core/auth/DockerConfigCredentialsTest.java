package dev.portainer.core.auth;

import dev.portainer.wire.auth.Secret;
import dev.portainer.wire.auth.RegistryCredentials;
import dev.portainer.wire.image.Registries;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DockerConfigCredentialsTest {
    @TempDir
    Path home;

    private Path writeConfig(Path dir, String json) throws IOException {
        Files.createDirectories(dir);
        return Files.writeString(dir.resolve("config.json"), json);
    }

    /** A fake docker-credential-<name> that answers like the real helpers, and records the server URL it got. */
    private Path fakeHelper(String name, String script) throws IOException {
        Path bin = Files.createDirectories(home.resolve("bin"));
        Path helper = bin.resolve("docker-credential-" + name);
        Files.writeString(helper, "#!/bin/sh\n" + script);
        Files.setPosixFilePermissions(helper, PosixFilePermissions.fromString("rwxr-xr-x"));
        return bin;
    }

    @Test
    void readsBase64AuthOfAuthsEntryWhateverTheKeyScheme() throws Exception {
        String auth = Base64.getEncoder().encodeToString("alice:pa:ss".getBytes(StandardCharsets.UTF_8));
        writeConfig(home.resolve(".docker"), "{\"auths\":{\"http://127.0.0.1:5001/v2/\":{\"auth\":\"" + auth + "\"}}}");

        RegistryCredentials found = DockerConfigCredentials.load(Map.of(), home).find("127.0.0.1:5001").orElseThrow();

        assertEquals("alice", found.username());
        assertEquals("pa:ss", found.password().reveal(), "only the first ':' separates user and password");
        assertTrue(found.source().contains("auths entry 'http://127.0.0.1:5001/v2/'"), found.source());
        assertEquals(Optional.empty(), DockerConfigCredentials.load(Map.of(), home).find("127.0.0.1:5000"));
    }

    @Test
    void readsUsernameAndPasswordFieldsAndHonoursDockerConfig() throws Exception {
        Path elsewhere = home.resolve("elsewhere");
        writeConfig(elsewhere, "{\"auths\":{\"registry.example.com\":{\"username\":\"bob\",\"password\":\"pw\"}}}");
        writeConfig(home.resolve(".docker"), "{\"auths\":{}}");

        RegistryCredentials found = DockerConfigCredentials.load(Map.of("DOCKER_CONFIG", elsewhere.toString()), home)
                .find("registry.example.com").orElseThrow();

        assertEquals("bob", found.username());
        assertEquals("pw", found.password().reveal());
        assertEquals(Optional.empty(), DockerConfigCredentials.load(Map.of(), home).find("registry.example.com"),
                "without DOCKER_CONFIG the file under ~/.docker is read");
    }

    @Test
    void missingConfigMeansNoCredentials() throws Exception {
        assertEquals(Optional.empty(), DockerConfigCredentials.load(Map.of(), home).find("127.0.0.1:5001"));
    }

    @Test
    void malformedConfigNamesTheFile() throws Exception {
        Path file = writeConfig(home.resolve(".docker"), "{not json");

        CredentialsException e = assertThrows(CredentialsException.class,
                () -> DockerConfigCredentials.load(Map.of(), home));
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    }

    @Test
    void credHelperForTheRegistryWinsOverAuthsAndGetsTheServerUrlOnStdin() throws Exception {
        Path seen = home.resolve("seen");
        Path bin = fakeHelper("test", "cat > '" + seen + "'\n"
                + "echo '{\"ServerURL\":\"127.0.0.1:5001\",\"Username\":\"helper-user\",\"Secret\":\"helper-secret\"}'\n");
        writeConfig(home.resolve(".docker"), "{\"credHelpers\":{\"127.0.0.1:5001\":\"test\"},"
                + "\"auths\":{\"127.0.0.1:5001\":{\"username\":\"file-user\",\"password\":\"file-pw\"}}}");

        RegistryCredentials found = DockerConfigCredentials.load(Map.of("PATH", bin + ":/usr/bin:/bin"), home)
                .find("127.0.0.1:5001").orElseThrow();

        assertEquals("helper-user", found.username());
        assertEquals("helper-secret", found.password().reveal());
        assertEquals("127.0.0.1:5001", Files.readString(seen));
        assertTrue(found.source().contains("credHelpers entry 'test'"), found.source());
    }

    @Test
    void credsStoreIsAskedForEveryRegistryAndDockerHubUsesItsIndexUrl() throws Exception {
        Path seen = home.resolve("seen");
        Path bin = fakeHelper("store", "cat > '" + seen + "'\n"
                + "echo '{\"Username\":\"hub-user\",\"Secret\":\"hub-secret\"}'\n");
        writeConfig(home.resolve(".docker"), "{\"credsStore\":\"store\"}");

        RegistryCredentials found = DockerConfigCredentials.load(Map.of("PATH", bin + ":/usr/bin:/bin"), home)
                .find(Registries.DOCKER_HUB).orElseThrow();

        assertEquals("hub-secret", found.password().reveal());
        assertEquals("https://index.docker.io/v1/", Files.readString(seen));
    }

    @Test
    void helperWithoutCredentialsFallsBackToAuths() throws Exception {
        Path bin = fakeHelper("store", "cat >/dev/null; echo 'credentials not found in native keychain'; exit 1\n");
        writeConfig(home.resolve(".docker"), "{\"credsStore\":\"store\","
                + "\"auths\":{\"127.0.0.1:5001\":{\"username\":\"file-user\",\"password\":\"file-pw\"}}}");

        RegistryCredentials found = DockerConfigCredentials.load(Map.of("PATH", bin + ":/usr/bin:/bin"), home)
                .find("127.0.0.1:5001").orElseThrow();

        assertEquals("file-user", found.username());
    }

    @Test
    void failingHelperAndMissingHelperFailWithTheirName() throws Exception {
        Path bin = fakeHelper("broken", "cat >/dev/null; echo 'keychain locked' >&2; exit 3\n");
        writeConfig(home.resolve(".docker"), "{\"credHelpers\":{\"127.0.0.1:5001\":\"broken\","
                + "\"127.0.0.1:5002\":\"absent\"}}");
        DockerConfigCredentials config = DockerConfigCredentials.load(Map.of("PATH", bin + ":/usr/bin:/bin"), home);

        CredentialsException broken = assertThrows(CredentialsException.class, () -> config.find("127.0.0.1:5001"));
        assertTrue(broken.getMessage().contains("docker-credential-broken get failed with exit code 3")
                && broken.getMessage().contains("keychain locked"), broken.getMessage());
        CredentialsException absent = assertThrows(CredentialsException.class, () -> config.find("127.0.0.1:5002"));
        assertTrue(absent.getMessage().contains("docker-credential-absent is not on the PATH"), absent.getMessage());
    }
}

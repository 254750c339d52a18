package dev.portainer.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portainer.core.auth.CredentialsException;
import dev.portainer.core.auth.CredentialsResolver;
import dev.portainer.core.auth.DockerConfigCredentials;
import dev.portainer.wire.auth.RegistryCredentials;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.maven.settings.Server;
import org.apache.maven.settings.Settings;
import org.apache.maven.settings.crypto.DefaultSettingsDecrypter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sonatype.plexus.components.cipher.DefaultPlexusCipher;
import org.sonatype.plexus.components.sec.dispatcher.DefaultSecDispatcher;

/** settings.xml servers, decrypted with the very SecDispatcher Maven uses, and their precedence. */
class MavenSettingsCredentialsTest {
    @TempDir
    Path dir;

    private static Settings settingsWith(String id, String username, String password) {
        Server server = new Server();
        server.setId(id);
        server.setUsername(username);
        server.setPassword(password);
        Settings settings = new Settings();
        settings.addServer(server);
        return settings;
    }

    /** What mvn --encrypt-master-password and --encrypt-password do, and Maven's decrypter reading it back. */
    private DefaultSettingsDecrypter decrypterWithMaster(String masterPassword) throws Exception {
        DefaultPlexusCipher cipher = new DefaultPlexusCipher();
        // Maven encrypts the master password with the fixed key "settings.security" (DefaultSecDispatcher's).
        String master = cipher.encryptAndDecorate(masterPassword, DefaultSecDispatcher.SYSTEM_PROPERTY_SEC_LOCATION);
        Path security = Files.writeString(dir.resolve("settings-security.xml"),
                "<settingsSecurity><master>" + master + "</master></settingsSecurity>");
        return new DefaultSettingsDecrypter(new DefaultSecDispatcher(cipher, Map.of(), security.toString()));
    }

    @Test
    void plainPasswordOfTheServerNamedLikeTheRegistry() throws Exception {
        MavenSettingsCredentials settings = new MavenSettingsCredentials(
                settingsWith("127.0.0.1:5001", "portainer", "plain-pw"), decrypterWithMaster("m"));

        RegistryCredentials found = settings.find("127.0.0.1:5001").orElseThrow();

        assertEquals("portainer", found.username());
        assertEquals("plain-pw", found.password().reveal());
        assertEquals("settings.xml server '127.0.0.1:5001'", found.source());
        assertEquals(Optional.empty(), settings.find("127.0.0.1"), "the id must be host:port exactly");
    }

    @Test
    void decryptsAPasswordEncryptedWithTheMasterPassword() throws Exception {
        String encrypted = new DefaultPlexusCipher().encryptAndDecorate("it-secret-encrypted", "master-of-settings");
        assertTrue(encrypted.startsWith("{") && !encrypted.contains("it-secret"), encrypted);
        MavenSettingsCredentials settings = new MavenSettingsCredentials(
                settingsWith("127.0.0.1:5001", "portainer", encrypted), decrypterWithMaster("master-of-settings"));

        assertEquals("it-secret-encrypted", settings.find("127.0.0.1:5001").orElseThrow().password().reveal());
    }

    @Test
    void wrongMasterPasswordFailsNamingTheServerAndSettingsSecurity() throws Exception {
        String encrypted = new DefaultPlexusCipher().encryptAndDecorate("it-secret-encrypted", "the-right-master");
        MavenSettingsCredentials settings = new MavenSettingsCredentials(
                settingsWith("127.0.0.1:5001", "portainer", encrypted), decrypterWithMaster("another-master"));

        CredentialsException e = assertThrows(CredentialsException.class, () -> settings.find("127.0.0.1:5001"));
        assertTrue(e.getMessage().contains("settings.xml server '127.0.0.1:5001'")
                && e.getMessage().contains("settings-security.xml"), e.getMessage());
        assertFalse(e.getMessage().contains("it-secret"), e.getMessage());
    }

    @Test
    void serverWithoutUsernameIsRefusedWithTheFix() throws Exception {
        MavenSettingsCredentials settings = new MavenSettingsCredentials(
                settingsWith("127.0.0.1:5001", null, "pw"), decrypterWithMaster("m"));

        CredentialsException e = assertThrows(CredentialsException.class, () -> settings.find("127.0.0.1:5001"));
        assertTrue(e.getMessage().contains("no <username>"), e.getMessage());
    }

    @Test
    void settingsXmlWinsOverTheDockerConfigWhichFillsTheRest() throws Exception {
        Path docker = Files.createDirectories(dir.resolve("docker"));
        Files.writeString(docker.resolve("config.json"), "{\"auths\":{"
                + "\"127.0.0.1:5001\":{\"username\":\"docker-user\",\"password\":\"docker-pw\"},"
                + "\"127.0.0.1:5002\":{\"username\":\"docker-user\",\"password\":\"docker-pw2\"}}}");
        Map<String, String> env = Map.of("DOCKER_CONFIG", docker.toString());
        CredentialsResolver resolver = new CredentialsResolver(List.of(
                new MavenSettingsCredentials(settingsWith("127.0.0.1:5001", "maven-user", "maven-pw"),
                        decrypterWithMaster("m")),
                registry -> DockerConfigCredentials.load(env, dir).find(registry)));

        assertEquals("maven-pw", resolver.find("127.0.0.1:5001").orElseThrow().password().reveal());
        assertEquals("docker-pw2", resolver.find("127.0.0.1:5002").orElseThrow().password().reveal());
        assertEquals(Optional.empty(), resolver.find("127.0.0.1:5003"));
    }
}

package dev.portainer.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portainer.core.mesos.scheduler.MesosCredential;
import java.util.List;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.settings.Server;
import org.apache.maven.settings.Settings;
import org.apache.maven.settings.building.DefaultSettingsProblem;
import org.apache.maven.settings.building.SettingsProblem;
import org.apache.maven.settings.crypto.SettingsDecrypter;
import org.apache.maven.settings.crypto.SettingsDecryptionResult;
import org.junit.jupiter.api.Test;

class MesosSettingsCredentialTest {
    /** Decrypts "{enc}" by dropping the marker, as a stand-in for Maven's cipher. */
    private static final SettingsDecrypter DECRYPTER = request -> {
        Server server = request.getServers().get(0).clone();
        server.setPassword(server.getPassword() == null ? null : server.getPassword().replace("{enc}", ""));
        return result(server, List.of());
    };

    private static SettingsDecryptionResult result(Server server, List<SettingsProblem> problems) {
        return new SettingsDecryptionResult() {
            @Override
            public Server getServer() {
                return server;
            }

            @Override
            public List<Server> getServers() {
                return List.of(server);
            }

            @Override
            public org.apache.maven.settings.Proxy getProxy() {
                return null;
            }

            @Override
            public List<org.apache.maven.settings.Proxy> getProxies() {
                return List.of();
            }

            @Override
            public List<SettingsProblem> getProblems() {
                return problems;
            }
        };
    }

    private static Settings settings(String id, String username, String password) {
        Server server = new Server();
        server.setId(id);
        server.setUsername(username);
        server.setPassword(password);
        Settings settings = new Settings();
        settings.addServer(server);
        return settings;
    }

    @Test
    void noPrincipalAndNoServerMeansNoAuthentication() throws Exception {
        assertNull(MesosSettingsCredential.resolve(null, " ", settings("mesos", "u", "p"), DECRYPTER));
    }

    @Test
    void theSecretIsTheDecryptedPasswordAndThePrincipalComesFromThePomOrTheServer() throws Exception {
        MesosCredential fromPom = MesosSettingsCredential.resolve("builder", "mesos",
                settings("mesos", "other", "{enc}s3cr3t"), DECRYPTER);
        assertEquals("builder", fromPom.principal());
        assertEquals("s3cr3t", fromPom.secret().reveal());
        assertEquals("settings.xml server 'mesos'", fromPom.source());
        assertEquals("****", fromPom.secret().toString());
        assertTrue(!fromPom.toString().contains("s3cr3t"), fromPom.toString());
        assertEquals("other", MesosSettingsCredential.resolve(null, "mesos",
                settings("mesos", "other", "{enc}s3cr3t"), DECRYPTER).principal());
    }

    @Test
    void eachMisconfigurationNamesWhatToFix() {
        assertTrue(message("builder", null, settings("mesos", "u", "p")).contains("<mesosServerId>"));
        String missing = message("builder", "mezos", settings("mesos", "u", "p"));
        assertTrue(missing.contains("no <server> with that id") && missing.contains("<id>mezos</id>"), missing);
        assertTrue(message("builder", "mesos", settings("mesos", "u", null)).contains("has no <password>"));
        assertTrue(message(null, "mesos", settings("mesos", null, "p")).contains("<principal>"));
        assertTrue(message("a:b", "mesos", settings("mesos", null, "p")).contains("must not contain ':'"));
    }

    @Test
    void aPasswordThatCannotBeDecryptedSaysSoWithoutTheValue() {
        SettingsDecrypter failing = request -> result(request.getServers().get(0), List.of(
                new DefaultSettingsProblem("Failed to decrypt password for server mesos",
                        SettingsProblem.Severity.ERROR, "server: mesos", -1, -1, null)));
        MojoFailureException e = assertThrows(MojoFailureException.class, () -> MesosSettingsCredential.resolve(
                "builder", "mesos", settings("mesos", "u", "{enc}zzz"), failing));
        assertTrue(e.getMessage().contains("Cannot decrypt the password of settings.xml server 'mesos'")
                && e.getMessage().contains("settings-security.xml") && !e.getMessage().contains("zzz"),
                e.getMessage());
    }

    private static String message(String principal, String id, Settings settings) {
        return assertThrows(MojoFailureException.class,
                () -> MesosSettingsCredential.resolve(principal, id, settings, DECRYPTER)).getMessage();
    }
}

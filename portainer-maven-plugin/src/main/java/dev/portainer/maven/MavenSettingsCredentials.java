package dev.portainer.maven;

import dev.portainer.core.auth.CredentialSource;
import dev.portainer.core.auth.CredentialsException;
import dev.portainer.wire.image.Registries;
import dev.portainer.wire.auth.RegistryCredentials;
import dev.portainer.wire.auth.Secret;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.apache.maven.settings.Server;
import org.apache.maven.settings.Settings;
import org.apache.maven.settings.building.SettingsProblem;
import org.apache.maven.settings.crypto.DefaultSettingsDecryptionRequest;
import org.apache.maven.settings.crypto.SettingsDecrypter;
import org.apache.maven.settings.crypto.SettingsDecryptionResult;

/**
 * Registry credentials from settings.xml: the {@code <server>} whose id is the registry's host[:port] exactly as in
 * the image name, its password decrypted with Maven's own {@link SettingsDecrypter} (settings-security.xml).
 */
final class MavenSettingsCredentials implements CredentialSource {
    /** Ids under which users put Docker Hub's credentials. */
    private static final List<String> DOCKER_HUB_IDS = List.of(Registries.DOCKER_HUB, "index.docker.io",
            "registry-1.docker.io", Registries.DOCKER_HUB_CONFIG_KEY);

    private final Settings settings;
    private final SettingsDecrypter decrypter;

    MavenSettingsCredentials(Settings settings, SettingsDecrypter decrypter) {
        this.settings = settings;
        this.decrypter = decrypter;
    }

    @Override
    public Optional<RegistryCredentials> find(String registry) throws CredentialsException {
        List<String> ids = registry.equals(Registries.DOCKER_HUB) ? DOCKER_HUB_IDS : List.of(registry);
        for (String id : ids) {
            Server server = settings == null ? null : settings.getServer(id);
            if (server != null && server.getPassword() != null) {
                return Optional.of(credentials(registry, server));
            }
        }
        return Optional.empty();
    }

    private RegistryCredentials credentials(String registry, Server server) throws CredentialsException {
        String source = "settings.xml server '" + server.getId() + "'";
        SettingsDecryptionResult result = decrypter.decrypt(new DefaultSettingsDecryptionRequest(server));
        List<SettingsProblem> errors = result.getProblems().stream()
                .filter(p -> p.getSeverity() != SettingsProblem.Severity.WARNING).toList();
        if (!errors.isEmpty()) {
            // Maven's problem messages name the server, never the password.
            throw new CredentialsException("Cannot decrypt the password of " + source + ": " + errors.stream()
                    .map(SettingsProblem::getMessage).collect(Collectors.joining("; ")) + "; check that "
                    + "~/.m2/settings-security.xml holds the master password the password was encrypted with "
                    + "(mvn --encrypt-master-password, then mvn --encrypt-password)", null);
        }
        Server decrypted = result.getServer();
        if (decrypted.getUsername() == null || decrypted.getUsername().isBlank()) {
            throw new CredentialsException(source + " has a password but no <username>; add it", null);
        }
        return new RegistryCredentials(registry, decrypted.getUsername(), Secret.of(decrypted.getPassword()), source);
    }
}

package dev.portainer.maven;

import dev.portainer.wire.auth.Secret;
import dev.portainer.core.mesos.scheduler.MesosCredential;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.settings.Server;
import org.apache.maven.settings.Settings;
import org.apache.maven.settings.building.SettingsProblem;
import org.apache.maven.settings.crypto.DefaultSettingsDecryptionRequest;
import org.apache.maven.settings.crypto.SettingsDecrypter;
import org.apache.maven.settings.crypto.SettingsDecryptionResult;

/**
 * The Mesos framework credential: the principal from the pom ({@code <principal>}, else the server's
 * {@code <username>}) and the secret from the settings.xml {@code <server>} named by {@code <mesosServerId>}, decrypted
 * by Maven's own {@link SettingsDecrypter} so that {@code mvn --encrypt-password} works as for deploy.
 */
final class MesosSettingsCredential {
    private MesosSettingsCredential() {
    }

    /** The credential, or null when neither a principal nor a server id is configured (no authentication). */
    static MesosCredential resolve(String principal, String serverId, Settings settings, SettingsDecrypter decrypter)
            throws MojoFailureException {
        String p = principal == null || principal.isBlank() ? null : principal.trim();
        String id = serverId == null || serverId.isBlank() ? null : serverId.trim();
        if (p == null && id == null) {
            return null;
        }
        if (id == null) {
            throw new MojoFailureException("<principal> '" + p + "' is set but not where its secret is: set "
                    + "<mesosServerId> (portainer.mesosServerId) to the id of a settings.xml <server> whose "
                    + "<password> is the framework secret");
        }
        String source = "settings.xml server '" + id + "'";
        Server server = settings == null ? null : settings.getServer(id);
        if (server == null) {
            throw new MojoFailureException("<mesosServerId> is '" + id + "' but settings.xml has no <server> with "
                    + "that id; add <server><id>" + id + "</id><username>principal</username><password>secret"
                    + "</password></server> to ~/.m2/settings.xml");
        }
        SettingsDecryptionResult result = decrypter.decrypt(new DefaultSettingsDecryptionRequest(server));
        List<SettingsProblem> errors = result.getProblems().stream()
                .filter(problem -> problem.getSeverity() != SettingsProblem.Severity.WARNING).toList();
        if (!errors.isEmpty()) {
            throw new MojoFailureException("Cannot decrypt the password of " + source + ": " + errors.stream()
                    .map(SettingsProblem::getMessage).collect(Collectors.joining("; ")) + "; check that "
                    + "~/.m2/settings-security.xml holds the master password it was encrypted with");
        }
        Server decrypted = result.getServer();
        if (decrypted.getPassword() == null || decrypted.getPassword().isEmpty()) {
            throw new MojoFailureException(source + " has no <password>; put the Mesos framework secret there");
        }
        if (p == null) {
            p = decrypted.getUsername() == null || decrypted.getUsername().isBlank() ? null
                    : decrypted.getUsername().trim();
        }
        if (p == null) {
            throw new MojoFailureException("No Mesos principal: set <principal> (portainer.principal), or "
                    + "<username> in " + source);
        }
        try {
            return new MesosCredential(p, Secret.of(decrypted.getPassword()), source);
        } catch (IllegalArgumentException e) {
            throw new MojoFailureException(e.getMessage() + "; fix <principal> (portainer.principal)", e);
        }
    }
}

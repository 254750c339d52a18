package dev.portainer.maven;

import dev.portainer.wire.auth.RegistryCredentials;
import java.util.List;
import java.util.Locale;

/**
 * Turns Docker's terse refusals ({@code no basic auth credentials}, {@code unauthorized: authentication required},
 * {@code 401}) into a message that names the registry, where the credentials came from, and the fix in Maven's
 * terms (a settings.xml server).
 */
final class AuthFailureHint {
    private static final List<String> REFUSALS = List.of("no basic auth credentials", "unauthorized",
            "authentication required", "401", "denied", "incorrect username or password");

    private AuthFailureHint() {
    }

    /** Whether Docker's error text says a registry refused (or wanted) credentials. */
    static boolean isAuthFailure(String dockerError) {
        if (dockerError == null) {
            return false;
        }
        String lower = dockerError.toLowerCase(Locale.ROOT);
        return REFUSALS.stream().anyMatch(lower::contains);
    }

    /**
     * The hint for a push or pull refused by {@code registry}, or null if the error is not about credentials.
     *
     * @param used the credentials Docker was given for that registry, or null if there were none
     */
    static String forRegistry(String dockerError, String registry, RegistryCredentials used) {
        if (!isAuthFailure(dockerError)) {
            return null;
        }
        if (used != null) {
            return "the registry " + registry + " refused the credentials from " + used.source() + " (user '"
                    + used.username() + "'); check the user name and password there"
                    + (used.source().startsWith("settings.xml") ? " (an encrypted password needs the matching "
                    + "master password in ~/.m2/settings-security.xml)" : "");
        }
        return "the registry " + registry + " wants credentials and none were found: add a <server> with <id>"
                + registry + "</id>, <username> and <password> to your Maven settings.xml (settings.xml server '"
                + registry + "'), or run 'docker login " + registry + "' on this machine";
    }
}

package dev.portainer.core.auth;

import dev.portainer.wire.image.Registries;
import dev.portainer.wire.auth.RegistryCredentials;
import dev.portainer.wire.auth.Secret;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One registry's credentials from environment variables, the way CI systems hand secrets to a job:
 * {@value #REGISTRY} names the registry ({@code host[:port]} as in image names), {@value #USERNAME} and
 * {@value #PASSWORD} are the user and the password or token. (Many registries at once: {@code DOCKER_AUTH_CONFIG},
 * see {@link DockerConfigCredentials#fromEnvironment}.) A variable, unlike a command-line property, is not visible
 * to other users of the machine in {@code ps}.
 */
public final class EnvironmentCredentials implements CredentialSource {
    public static final String REGISTRY = "PORTAINER_REGISTRY";
    public static final String USERNAME = "PORTAINER_REGISTRY_USERNAME";
    public static final String PASSWORD = "PORTAINER_REGISTRY_PASSWORD";
    /** Every variable that may carry a registry password: none of them leaves this process. */
    public static final List<String> SECRET_VARIABLES = List.of(PASSWORD, DockerConfigCredentials.DOCKER_AUTH_CONFIG);

    private static final String SOURCE = "environment variables " + USERNAME + " and " + PASSWORD;

    private final RegistryCredentials credentials;

    private EnvironmentCredentials(RegistryCredentials credentials) {
        this.credentials = credentials;
    }

    /**
     * Reads the variables. A password without the registry or user it is for is refused rather than dropped; a
     * registry or user without a password (a CI secret that is empty in a fork's build) means no credentials.
     *
     * @param environment this process's environment
     */
    public static EnvironmentCredentials of(Map<String, String> environment) throws CredentialsException {
        String password = value(environment, PASSWORD);
        if (password.isEmpty()) {
            return new EnvironmentCredentials(null);
        }
        String registry = value(environment, REGISTRY).trim();
        String username = value(environment, USERNAME);
        if (registry.isEmpty()) {
            throw new CredentialsException(PASSWORD + " is set but " + REGISTRY + " is not: set " + REGISTRY
                    + " to the registry the password is for, host[:port] as in the image name (e.g. "
                    + "registry.example.com:5000)", null);
        }
        if (registry.chars().anyMatch(c -> c == ',' || Character.isWhitespace(c))) {
            throw new CredentialsException(REGISTRY + " must name one registry, host[:port] as in the image name "
                    + "(got '" + registry + "'); for several registries use " + DockerConfigCredentials.DOCKER_AUTH_CONFIG,
                    null);
        }
        if (username.isBlank()) {
            throw new CredentialsException(PASSWORD + " is set but " + USERNAME + " is not: set it to the user "
                    + "name for " + registry, null);
        }
        String host = Registries.normalize(registry);
        return new EnvironmentCredentials(new RegistryCredentials(host, username, Secret.of(password), SOURCE));
    }

    @Override
    public Optional<RegistryCredentials> find(String registry) {
        return credentials != null && credentials.registry().equals(registry) ? Optional.of(credentials)
                : Optional.empty();
    }

    /** The registry these variables are for, or null when they hold no credentials. */
    public String registry() {
        return credentials == null ? null : credentials.registry();
    }

    /**
     * {@code environment} without the variables that may carry a registry password: for a process started on
     * this machine for the build (the embedded Mesos agent and its executors), which gets the credentials sealed,
     * like any agent, and must not find them in its environment.
     */
    public static Map<String, String> withoutSecrets(Map<String, String> environment) {
        Map<String, String> rest = new HashMap<>(environment);
        SECRET_VARIABLES.forEach(rest::remove);
        return Map.copyOf(rest);
    }

    private static String value(Map<String, String> environment, String name) {
        String value = environment.get(name);
        return value == null ? "" : value;
    }
}

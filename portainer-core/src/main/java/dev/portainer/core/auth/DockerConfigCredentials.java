package dev.portainer.core.auth;

import dev.portainer.wire.auth.Secret;
import dev.portainer.wire.auth.RegistryCredentials;
import dev.portainer.wire.image.Registries;

import dev.portainer.wire.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;

/**
 * Registry credentials from the Docker CLI's {@code config.json} on this machine ({@code $DOCKER_CONFIG}, else
 * {@code ~/.docker}), looked up as the CLI does: a registry's {@code credHelpers} entry, else the {@code credsStore},
 * else the {@code auths} entry (base64 {@code auth} or {@code username}/{@code password}).
 */
public final class DockerConfigCredentials implements CredentialSource {
    private final Path file;
    private final Map<?, ?> config;
    private final Map<String, String> environment;

    private DockerConfigCredentials(Path file, Map<?, ?> config, Map<String, String> environment) {
        this.file = file;
        this.config = config;
        this.environment = environment;
    }

    /**
     * Reads the config file; a missing file means no credentials.
     *
     * @param environment this process's environment ({@code DOCKER_CONFIG}, and {@code PATH} for helpers)
     * @param home        the user's home directory
     */
    public static DockerConfigCredentials load(Map<String, String> environment, Path home) throws CredentialsException {
        String dir = environment.get("DOCKER_CONFIG");
        Path file = (dir == null || dir.isBlank() ? home.resolve(".docker") : Path.of(dir)).resolve("config.json");
        Map<?, ?> config = Map.of();
        if (Files.isRegularFile(file)) {
            Object json;
            try {
                json = Json.read(Files.readString(file, StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new CredentialsException("Cannot read the Docker config " + file + ": " + e.getMessage()
                        + "; fix or remove it", e);
            }
            if (!(json instanceof Map<?, ?> object)) {
                throw new CredentialsException("The Docker config " + file + " is not a JSON object; fix or remove it",
                        null);
            }
            config = object;
        }
        return new DockerConfigCredentials(file, config, Map.copyOf(environment));
    }

    public Path file() {
        return file;
    }

    /** The credentials for {@code registry} (host[:port], or {@link Registries#DOCKER_HUB}), if the config has any. */
    @Override
    public Optional<RegistryCredentials> find(String registry) throws CredentialsException {
        String serverUrl = registry.equals(Registries.DOCKER_HUB) ? Registries.DOCKER_HUB_CONFIG_KEY : registry;
        String helper = helperFor(registry);
        if (helper != null) {
            return new CredentialHelper(helper, environment).get(serverUrl, registry,
                    "credHelpers entry '" + helper + "' for " + registry + " in " + file);
        }
        String store = text(config.get("credsStore"));
        if (!store.isEmpty()) {
            Optional<RegistryCredentials> stored = new CredentialHelper(store, environment).get(serverUrl, registry,
                    "credsStore '" + store + "' in " + file);
            if (stored.isPresent()) {
                return stored;
            }
        }
        return fromAuths(registry);
    }

    private String helperFor(String registry) {
        for (Map.Entry<?, ?> entry : object(config.get("credHelpers")).entrySet()) {
            String helper = text(entry.getValue());
            if (Registries.normalize(String.valueOf(entry.getKey())).equals(registry) && !helper.isEmpty()) {
                return helper;
            }
        }
        return null;
    }

    private Optional<RegistryCredentials> fromAuths(String registry) throws CredentialsException {
        for (Map.Entry<?, ?> entry : object(config.get("auths")).entrySet()) {
            if (!Registries.normalize(String.valueOf(entry.getKey())).equals(registry)) {
                continue;
            }
            Map<?, ?> auth = object(entry.getValue());
            String source = "auths entry '" + entry.getKey() + "' in " + file;
            String encoded = text(auth.get("auth"));
            if (!encoded.isEmpty()) {
                String decoded;
                try {
                    decoded = new String(Base64.getDecoder().decode(encoded.strip()), StandardCharsets.UTF_8);
                } catch (IllegalArgumentException e) {
                    throw new CredentialsException("The " + source + " has an 'auth' that is not base64; run docker "
                            + "login " + registry + " again", e);
                }
                int colon = decoded.indexOf(':');
                if (colon < 0) {
                    throw new CredentialsException("The " + source + " has an 'auth' that is not user:password; run "
                            + "docker login " + registry + " again", null);
                }
                return Optional.of(new RegistryCredentials(registry, decoded.substring(0, colon),
                        Secret.of(decoded.substring(colon + 1)), source));
            }
            String password = text(auth.get("password"));
            if (!password.isEmpty()) {
                return Optional.of(new RegistryCredentials(registry, text(auth.get("username")),
                        Secret.of(password), source));
            }
        }
        return Optional.empty();
    }

    /** A field's text, as the CLI reads it: a string, or empty when absent, null or not a string. */
    private static String text(Object value) {
        return value instanceof String s ? s : "";
    }

    /** A field's object, or an empty one when absent or not an object. */
    private static Map<?, ?> object(Object value) {
        return value instanceof Map<?, ?> map ? map : Map.of();
    }
}

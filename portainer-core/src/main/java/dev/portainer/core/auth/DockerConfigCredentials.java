package dev.portainer.core.auth;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
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
 * {@code ~/.docker}), or from the same JSON in the environment variable {@code DOCKER_AUTH_CONFIG} (as GitLab CI
 * hands it), looked up as the CLI does: a registry's {@code credHelpers} entry, else the {@code credsStore}, else the
 * {@code auths} entry (base64 {@code auth} or {@code username}/{@code password}).
 */
public final class DockerConfigCredentials implements CredentialSource {
    /** The environment variable holding a whole Docker config (GitLab CI's name for it). */
    public static final String DOCKER_AUTH_CONFIG = "DOCKER_AUTH_CONFIG";

    private final Path file;
    private final String origin;
    private final String redo;
    private final Map<?, ?> config;
    private final Map<String, String> environment;

    /**
     * @param file   the file read, or null for {@code DOCKER_AUTH_CONFIG}
     * @param origin how messages name where the config came from
     * @param redo   how to fix a broken entry, for a registry named by {@code %s}
     */
    private DockerConfigCredentials(Path file, String origin, String redo, Map<?, ?> config,
                                    Map<String, String> environment) {
        this.file = file;
        this.origin = origin;
        this.redo = redo;
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
            String text;
            try {
                text = Files.readString(file, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new CredentialsException("Cannot read the Docker config " + file + ": " + e.getMessage()
                        + "; fix or remove it", e);
            }
            config = parse(text, "The Docker config " + file, "fix or remove it");
        }
        return new DockerConfigCredentials(file, file.toString(), "run docker login %s again", config,
                Map.copyOf(environment));
    }

    /**
     * The config in {@code DOCKER_AUTH_CONFIG} (GitLab CI's variable for a whole {@code config.json}); unset or
     * blank means no credentials.
     *
     * @param environment this process's environment ({@code DOCKER_AUTH_CONFIG}, and {@code PATH} for helpers)
     */
    public static DockerConfigCredentials fromEnvironment(Map<String, String> environment)
            throws CredentialsException {
        String text = environment.get(DOCKER_AUTH_CONFIG);
        Map<?, ?> config = text == null || text.isBlank() ? Map.of()
                : parse(text, "The environment variable " + DOCKER_AUTH_CONFIG, "give it the text of a Docker "
                + "config.json, e.g. {\"auths\":{\"registry.example.com\":{\"auth\":\"<base64 of user:password>\"}}}");
        return new DockerConfigCredentials(null, DOCKER_AUTH_CONFIG, "fix it in " + DOCKER_AUTH_CONFIG, config,
                Map.copyOf(environment));
    }

    /**
     * The JSON object of a config. A parser's message may quote the text it stumbled on, which here can be a
     * password: only the position is said.
     */
    private static Map<?, ?> parse(String text, String what, String fix) throws CredentialsException {
        Object json;
        try {
            json = Json.read(text);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            throw new CredentialsException(what + " is not valid JSON" + (at == null ? "" : " (line " + at.getLineNr()
                    + ", column " + at.getColumnNr() + ")") + "; " + fix, null);
        } catch (IOException e) {
            throw new CredentialsException(what + " is not valid JSON; " + fix, null);
        }
        if (!(json instanceof Map<?, ?> object)) {
            throw new CredentialsException(what + " is not a JSON object; " + fix, null);
        }
        return object;
    }

    /** The file read, or null for {@code DOCKER_AUTH_CONFIG}. */
    public Path file() {
        return file;
    }

    /** The credentials for {@code registry} (host[:port], or {@link Registries#DOCKER_HUB}), if the config has any. */
    @Override
    public Optional<RegistryCredentials> find(String registry) throws CredentialsException {
        String serverUrl = registry.equals(Registries.DOCKER_HUB) ? Registries.DOCKER_HUB_CONFIG_KEY : registry;
        String helper = helperFor(registry);
        if (helper != null) {
            return new CredentialHelper(helper, environment, origin).get(serverUrl, registry,
                    "credHelpers entry '" + helper + "' for " + registry + " in " + origin);
        }
        String store = text(config.get("credsStore"));
        if (!store.isEmpty()) {
            Optional<RegistryCredentials> stored = new CredentialHelper(store, environment, origin).get(serverUrl,
                    registry, "credsStore '" + store + "' in " + origin);
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
            String source = "auths entry '" + entry.getKey() + "' in " + origin;
            String encoded = text(auth.get("auth"));
            if (!encoded.isEmpty()) {
                String decoded;
                try {
                    decoded = new String(Base64.getDecoder().decode(encoded.strip()), StandardCharsets.UTF_8);
                } catch (IllegalArgumentException e) {
                    throw new CredentialsException("The " + source + " has an 'auth' that is not base64; "
                            + redo.formatted(registry), null);
                }
                int colon = decoded.indexOf(':');
                if (colon < 0) {
                    throw new CredentialsException("The " + source + " has an 'auth' that is not user:password; "
                            + redo.formatted(registry), null);
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

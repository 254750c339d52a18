package dev.portainer.core.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;

/**
 * Registry credentials from the Docker CLI's {@code config.json} on this machine ({@code $DOCKER_CONFIG}, else
 * {@code ~/.docker}), looked up as the CLI does: a registry's {@code credHelpers} entry, else the {@code credsStore},
 * else the {@code auths} entry (base64 {@code auth} or {@code username}/{@code password}).
 */
public final class DockerConfigCredentials implements CredentialSource {
    /** Made only when there is a config file to read: an ObjectMapper costs a cold JVM ~0.15 s. */
    private static final class Json {
        static final ObjectMapper MAPPER = new ObjectMapper();
    }

    private final Path file;
    private final JsonNode config;
    private final Map<String, String> environment;

    private DockerConfigCredentials(Path file, JsonNode config, Map<String, String> environment) {
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
        JsonNode config = JsonNodeFactory.instance.objectNode();
        if (Files.isRegularFile(file)) {
            try {
                config = Json.MAPPER.readTree(Files.readString(file, StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new CredentialsException("Cannot read the Docker config " + file + ": " + e.getMessage()
                        + "; fix or remove it", e);
            }
            if (config == null || !config.isObject()) {
                throw new CredentialsException("The Docker config " + file + " is not a JSON object; fix or remove it",
                        null);
            }
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
        String store = config.path("credsStore").asText("");
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
        Iterator<Map.Entry<String, JsonNode>> helpers = config.path("credHelpers").fields();
        while (helpers.hasNext()) {
            Map.Entry<String, JsonNode> entry = helpers.next();
            if (Registries.normalize(entry.getKey()).equals(registry) && !entry.getValue().asText("").isEmpty()) {
                return entry.getValue().asText();
            }
        }
        return null;
    }

    private Optional<RegistryCredentials> fromAuths(String registry) throws CredentialsException {
        Iterator<Map.Entry<String, JsonNode>> auths = config.path("auths").fields();
        while (auths.hasNext()) {
            Map.Entry<String, JsonNode> entry = auths.next();
            if (!Registries.normalize(entry.getKey()).equals(registry)) {
                continue;
            }
            JsonNode auth = entry.getValue();
            String source = "auths entry '" + entry.getKey() + "' in " + file;
            String encoded = auth.path("auth").asText("");
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
            String password = auth.path("password").asText("");
            if (!password.isEmpty()) {
                return Optional.of(new RegistryCredentials(registry, auth.path("username").asText(""),
                        Secret.of(password), source));
            }
        }
        return Optional.empty();
    }
}

package dev.portainer.core.auth;

import dev.portainer.wire.auth.Secret;
import dev.portainer.wire.auth.RegistryCredentials;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs a Docker credential helper ({@code docker-credential-<name> get}, the server URL on stdin, JSON on stdout)
 * the way the Docker CLI does, found on the {@code PATH} of the given environment.
 */
public final class CredentialHelper {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long TIMEOUT_SECONDS = 60;

    private final String name;
    private final Map<String, String> environment;

    /**
     * @param name        the helper's suffix, e.g. {@code pass}, {@code ecr-login}
     * @param environment the environment whose {@code PATH} is searched and the helper runs with
     */
    public CredentialHelper(String name, Map<String, String> environment) {
        this.name = name;
        this.environment = Map.copyOf(environment);
    }

    public String executableName() {
        return "docker-credential-" + name;
    }

    /**
     * The credentials the helper stores for {@code serverUrl}, or empty when it has none.
     *
     * @param registry the registry the credentials are for (recorded in the result)
     * @param source   how to name this lookup in messages
     */
    public Optional<RegistryCredentials> get(String serverUrl, String registry, String source)
            throws CredentialsException {
        Path executable = find();
        ProcessBuilder builder = new ProcessBuilder(executable.toString(), "get");
        builder.environment().clear();
        builder.environment().putAll(environment);
        builder.redirectError(ProcessBuilder.Redirect.PIPE);
        try {
            Process process = builder.start();
            CompletableFuture<byte[]> stdout = CompletableFuture.supplyAsync(() -> readAll(process.getInputStream()));
            CompletableFuture<byte[]> stderr = CompletableFuture.supplyAsync(() -> readAll(process.getErrorStream()));
            try (OutputStream in = process.getOutputStream()) {
                in.write(serverUrl.getBytes(StandardCharsets.UTF_8));
            } catch (IOException exitedEarly) {
                // A helper that answers without reading stdin may be gone already; its exit code tells the rest.
            }
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new CredentialsException(executableName() + " did not answer in " + TIMEOUT_SECONDS
                        + " s (" + source + "); is it waiting for a passphrase?", null);
            }
            String out = new String(stdout.join(), StandardCharsets.UTF_8).strip();
            if (process.exitValue() != 0) {
                // The helpers' protocol: this exact text on stdout means "nothing stored", not a failure.
                if (out.contains("credentials not found")) {
                    return Optional.empty();
                }
                String err = new String(stderr.join(), StandardCharsets.UTF_8).strip();
                throw new CredentialsException(executableName() + " get failed with exit code " + process.exitValue()
                        + " (" + source + "): " + (err.isEmpty() ? out : err), null);
            }
            JsonNode answer = JSON.readTree(out);
            String username = answer.path("Username").asText("");
            String secret = answer.path("Secret").asText("");
            if (secret.isEmpty()) {
                return Optional.empty();
            }
            return Optional.of(new RegistryCredentials(registry, username, Secret.of(secret), source));
        } catch (IOException e) {
            throw new CredentialsException("Cannot run " + executable + " (" + source + "): " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CredentialsException("Interrupted while running " + executableName(), e);
        }
    }

    private Path find() throws CredentialsException {
        String path = environment.getOrDefault("PATH", "");
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, executableName());
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        throw new CredentialsException(executableName() + " is not on the PATH, but ~/.docker/config.json names the "
                + "credential helper '" + name + "': install it, or remove it from the config's credHelpers/credsStore",
                null);
    }

    private static byte[] readAll(java.io.InputStream in) {
        try (in) {
            return in.readAllBytes();
        } catch (IOException e) {
            return new byte[0];
        }
    }
}

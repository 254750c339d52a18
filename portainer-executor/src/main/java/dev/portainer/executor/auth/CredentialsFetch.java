package dev.portainer.executor.auth;

import dev.portainer.wire.auth.RegistryAuth;
import dev.portainer.wire.auth.SealedCredentials;
import dev.portainer.wire.auth.Secret;
import dev.portainer.wire.CredentialsRef;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;

/**
 * Gets the build's sealed registry credentials (a one-time GET to the Maven JVM, or the file the fetcher put in the
 * sandbox, deleted at once) and opens them in memory; nothing is written to disk and nothing is printed.
 */
public final class CredentialsFetch {
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(60);

    private CredentialsFetch() {
    }

    /** One GET on the JDK's HttpURLConnection: a cold java.net.http client would cost the build ~0.17 s more. */
    public static CredentialsFetch standard() {
        return new CredentialsFetch();
    }

    /**
     * @throws IllegalStateException with a message for the task's failure when the credentials cannot be had
     */
    public RegistryAuth open(CredentialsRef ref, Path sandbox) {
        byte[] sealed = ref.url() != null ? download(ref.url()) : readAndDelete(sandbox.resolve(ref.sandboxFile()));
        try {
            return SealedCredentials.open(sealed, Secret.of(ref.key()));
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("Cannot open the registry credentials: " + e.getMessage(), e);
        } finally {
            Arrays.fill(sealed, (byte) 0);
        }
    }

    private byte[] download(String url) {
        try {
            HttpURLConnection connection = (HttpURLConnection) URI.create(url).toURL().openConnection(Proxy.NO_PROXY);
            connection.setConnectTimeout((int) CONNECT_TIMEOUT.toMillis());
            connection.setReadTimeout((int) READ_TIMEOUT.toMillis());
            connection.setUseCaches(false);
            try {
                int status = connection.getResponseCode();
                if (status == 410) {
                    // Served to one GET only, and not to us: whoever fetched them also needed the key, which only
                    // this task's LAUNCH carries. Unless the task was launched twice, that is worth saying loudly.
                    throw new IllegalStateException("Cannot fetch the registry credentials from the Maven JVM: they "
                            + "were fetched already (HTTP 410; they are served once). If this task was not launched "
                            + "twice, another process got this task's launch and its credentials: treat the registry "
                            + "password as exposed");
                }
                if (status != 200) {
                    // The URL serves once: a second launch of the same task, or a build that already ended, sees 404.
                    throw new IllegalStateException("Cannot fetch the registry credentials from the Maven JVM: HTTP "
                            + status + " (they are served once, for the length of the build; was this "
                            + "task relaunched, or did the Maven build end?)");
                }
                try (InputStream in = connection.getInputStream()) {
                    return in.readAllBytes();
                }
            } finally {
                connection.disconnect();
            }
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalStateException("Cannot fetch the registry credentials from the Maven JVM: " + e, e);
        }
    }

    private static byte[] readAndDelete(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new IllegalStateException("The sealed registry credentials " + file.getFileName() + " are not in the "
                    + "sandbox: the Mesos fetcher should have put them there (" + e.getMessage() + ")", e);
        } finally {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // ciphertext without its key, and the sandbox goes with the task
            }
        }
    }
}

package dev.portainer.core.mesos.scheduler;

import dev.portainer.core.config.InvalidSettingException;

import dev.portainer.wire.auth.Secret;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Objects;

/**
 * The framework's principal and secret for a Mesos master started with {@code --authenticate_frameworks} and the
 * {@code basic} HTTP framework authenticator; sent as HTTP Basic on every scheduler API call.
 *
 * @param principal the principal, also put in FrameworkInfo.principal
 * @param secret    its secret
 * @param source    where the secret came from, for messages (e.g. "settings.xml server 'mesos'")
 */
public record MesosCredential(String principal, Secret secret, String source) {
    public MesosCredential {
        if (principal == null || principal.isBlank()) {
            throw new InvalidSettingException("The Mesos principal must not be empty");
        }
        if (principal.indexOf(':') >= 0) {
            // HTTP Basic cannot carry it: the first colon separates the principal from the secret.
            throw new InvalidSettingException("The Mesos principal '" + principal + "' must not contain ':'");
        }
        Objects.requireNonNull(secret, "secret");
        Objects.requireNonNull(source, "source");
    }

    /** The value of the Authorization header. */
    public String authorization() {
        return "Basic " + Base64.getEncoder().encodeToString((principal + ":" + secret.reveal())
                .getBytes(StandardCharsets.UTF_8));
    }
}

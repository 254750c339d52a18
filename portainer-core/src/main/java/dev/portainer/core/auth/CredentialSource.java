package dev.portainer.core.auth;

import dev.portainer.wire.auth.RegistryCredentials;

import java.util.Optional;

/** One place registry credentials may come from (settings.xml, the Docker config, a credential helper). */
@FunctionalInterface
public interface CredentialSource {
    /** The credentials for {@code registry} (host[:port] as in image names), or empty if this source has none. */
    Optional<RegistryCredentials> find(String registry) throws CredentialsException;
}

package dev.portainer.wire.auth;

import java.util.Objects;

/**
 * A user name and password for one registry, and where they came from (for messages that name the fix).
 *
 * @param registry the registry host[:port] as written in image names, e.g. {@code 127.0.0.1:5001}
 * @param username the user name
 * @param password the password or token
 * @param source   where they were found, e.g. {@code settings.xml server '127.0.0.1:5001'}
 */
public record RegistryCredentials(String registry, String username, Secret password, String source) {
    public RegistryCredentials {
        Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(password, "password");
        Objects.requireNonNull(source, "source");
    }
}

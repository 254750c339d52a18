package dev.portainer.wire.auth;

import java.util.Objects;

/**
 * A password or token: its {@code toString()} is {@code ****}, so it cannot reach a log by accident; only
 * {@link #reveal()} gives the value, at the few places that must hand it on (the sealed payload, docker-java).
 */
public final class Secret {
    private final String value;

    private Secret(String value) {
        this.value = Objects.requireNonNull(value, "value");
    }

    public static Secret of(String value) {
        return new Secret(value);
    }

    /** The value; call it only where the secret leaves for its one legitimate destination. */
    public String reveal() {
        return value;
    }

    public boolean isEmpty() {
        return value.isEmpty();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Secret secret && secret.value.equals(value);
    }

    @Override
    public int hashCode() {
        return value.hashCode();
    }

    @Override
    public String toString() {
        return "****";
    }
}

package dev.portainer.wire;

import java.util.List;

/**
 * Docker-in-Docker: the executor runs in a privileged container and starts its own {@code dockerd}, with its data
 * in the sandbox, builds against it and stops it at the end.
 *
 * @param insecureRegistries registries the daemon reaches over plain HTTP ({@code --insecure-registry})
 */
public record EphemeralDaemon(List<String> insecureRegistries) {
    public EphemeralDaemon {
        insecureRegistries = insecureRegistries == null ? List.of() : List.copyOf(insecureRegistries);
    }
}

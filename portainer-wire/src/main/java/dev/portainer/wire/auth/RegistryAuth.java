package dev.portainer.wire.auth;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The credentials one build uses: for the push to the image's registry, and for pulling base images from the
 * registries its Dockerfile's {@code FROM} lines name.
 *
 * @param push the credentials for the image's registry, or null (the push goes out without credentials)
 * @param pull credentials by registry host[:port] for pulling base images
 */
public record RegistryAuth(RegistryCredentials push, Map<String, RegistryCredentials> pull) {
    /** No credentials at all. */
    public static final RegistryAuth NONE = new RegistryAuth(null, Map.of());

    public RegistryAuth {
        pull = Map.copyOf(pull);
        pull.forEach((registry, credentials) -> {
            if (!registry.equals(credentials.registry())) {
                throw new IllegalArgumentException("pull credentials for " + registry + " name " + credentials
                        .registry());
            }
        });
    }

    public boolean isEmpty() {
        return push == null && pull.isEmpty();
    }

    /** Every distinct credential, push first, then pulls by registry. */
    public List<RegistryCredentials> all() {
        java.util.ArrayList<RegistryCredentials> all = new java.util.ArrayList<>();
        if (push != null) {
            all.add(push);
        }
        new TreeMap<>(pull).values().stream().filter(c -> !Objects.equals(c, push)).forEach(all::add);
        return List.copyOf(all);
    }
}

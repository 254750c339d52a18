package dev.portainer.core.auth;

import dev.portainer.wire.auth.RegistryAuth;
import dev.portainer.wire.auth.RegistryCredentials;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Finds a build's credentials by asking the sources in order; the first that has a registry's credentials wins. */
public final class CredentialsResolver {
    private final List<CredentialSource> sources;

    /** @param sources in precedence order, e.g. settings.xml first, then the Docker config */
    public CredentialsResolver(List<CredentialSource> sources) {
        this.sources = List.copyOf(sources);
    }

    public Optional<RegistryCredentials> find(String registry) throws CredentialsException {
        for (CredentialSource source : sources) {
            Optional<RegistryCredentials> found = source.find(registry);
            if (found.isPresent()) {
                return found;
            }
        }
        return Optional.empty();
    }

    /**
     * @param pushRegistry   the image's registry, or null when nothing is pushed
     * @param pullRegistries the registries the Dockerfile's base images come from
     */
    public RegistryAuth resolve(String pushRegistry, List<String> pullRegistries) throws CredentialsException {
        RegistryCredentials push = pushRegistry == null ? null : find(pushRegistry).orElse(null);
        Map<String, RegistryCredentials> pull = new HashMap<>();
        for (String registry : pullRegistries) {
            if (!pull.containsKey(registry)) {
                find(registry).ifPresent(c -> pull.put(registry, c));
            }
        }
        return new RegistryAuth(push, pull);
    }
}

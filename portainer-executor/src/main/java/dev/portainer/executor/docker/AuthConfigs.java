package dev.portainer.executor.docker;

import com.github.dockerjava.api.model.AuthConfig;
import com.github.dockerjava.api.model.AuthConfigurations;
import dev.portainer.wire.auth.RegistryAuth;
import dev.portainer.wire.auth.RegistryCredentials;
import dev.portainer.wire.image.Registries;

/** The one place that turns a build's registry credentials into docker-java's {@link AuthConfig}s. */
final class AuthConfigs {
    private AuthConfigs() {
    }

    /** The credentials for the push, or null to let the daemon push without (or docker-java use the agent's config). */
    static AuthConfig push(RegistryAuth auth) {
        return auth.push() == null ? null : of(auth.push());
    }

    /**
     * The credentials the daemon may use for the build's pulls ({@code X-Registry-Config}), or null for none. The
     * push registry's credentials are included: a Dockerfile may start from an image of its own registry.
     */
    static AuthConfigurations build(RegistryAuth auth) {
        if (auth.isEmpty()) {
            return null;
        }
        AuthConfigurations configs = new AuthConfigurations();
        auth.all().forEach(c -> configs.addConfig(of(c)));
        return configs;
    }

    private static AuthConfig of(RegistryCredentials credentials) {
        String address = credentials.registry().equals(Registries.DOCKER_HUB)
                ? Registries.DOCKER_HUB_CONFIG_KEY : credentials.registry();
        return new AuthConfig()
                .withRegistryAddress(address)
                .withUsername(credentials.username())
                .withPassword(credentials.password().reveal());
    }
}

package dev.portainer.maven;

import dev.portainer.core.auth.EnvironmentCredentials;
import dev.portainer.wire.auth.Secret;
import dev.portainer.core.build.LocalMaster;
import dev.portainer.core.mesos.scheduler.MesosCredential;
import dev.portainer.local.LocalMesos;
import dev.portainer.local.LocalMesosConfig;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * Starts the embedded single-node Mesos behind {@code mesosMaster=local}. It listens on loopback, where every user
 * of the machine can reach it, so it requires a credential made for this build alone and known only to this JVM,
 * as a Mesos master started with {@code --authenticate_http_frameworks --authenticate_http_readonly} requires its
 * frameworks' credentials.
 */
enum LocalMesosLauncher implements LocalMaster.Launcher {
    INSTANCE;

    /** The principal of the build's framework on the embedded master. */
    static final String PRINCIPAL = "portainer";

    /**
     * The embedded agent's host name, which every build on it records as its agent: named here, since
     * {@code portainer:push} on {@code local} can only push what this agent built.
     */
    static final String AGENT_HOSTNAME = "127.0.0.1";

    private final SecureRandom random = new SecureRandom();

    /**
     * The embedded Mesos for this JVM's environment. Its agent passes its environment on to the executors, like a
     * Mesos agent; but this agent's is Maven's, where a CI job may keep registry passwords
     * ({@code PORTAINER_REGISTRY_PASSWORD}, {@code DOCKER_AUTH_CONFIG}): they are left out, so that the credentials
     * reach the executor only sealed, as on a real cluster.
     */
    static LocalMesosConfig.Builder config(Map<String, String> environment) {
        return LocalMesosConfig.builder().hostname(AGENT_HOSTNAME)
                .environment(EnvironmentCredentials.withoutSecrets(environment));
    }

    @Override
    public LocalMaster start() throws IOException {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        Secret secret = Secret.of(Base64.getUrlEncoder().withoutPadding().encodeToString(bytes));
        MesosCredential credential = new MesosCredential(PRINCIPAL, secret, "made for this build");
        LocalMesos mesos = LocalMesos.start(config(System.getenv())
                .frameworkCredentials(Map.of(PRINCIPAL, secret)).build());
        return new LocalMaster() {
            @Override
            public URI uri() {
                return mesos.masterUri();
            }

            @Override
            public MesosCredential credential() {
                return credential;
            }

            @Override
            public void close() {
                mesos.close();
            }

            @Override
            public void prepareExecutor(String commandValue, List<String> command, Path file) {
                mesos.prepareExecutor(commandValue, command, file);
            }
        };
    }
}

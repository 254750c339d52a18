package dev.portainer.maven;

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

    private final SecureRandom random = new SecureRandom();

    @Override
    public LocalMaster start() throws IOException {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        Secret secret = Secret.of(Base64.getUrlEncoder().withoutPadding().encodeToString(bytes));
        MesosCredential credential = new MesosCredential(PRINCIPAL, secret, "made for this build");
        LocalMesos mesos = LocalMesos.start(LocalMesosConfig.builder()
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

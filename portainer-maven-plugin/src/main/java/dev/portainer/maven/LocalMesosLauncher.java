package dev.portainer.maven;

import dev.portainer.core.build.LocalMaster;
import dev.portainer.local.LocalMesos;
import dev.portainer.local.LocalMesosConfig;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;

/** Starts the embedded single-node Mesos behind {@code mesosMaster=local}. */
enum LocalMesosLauncher implements LocalMaster.Launcher {
    INSTANCE;

    @Override
    public LocalMaster start() throws IOException {
        LocalMesos mesos = LocalMesos.start(LocalMesosConfig.defaults());
        return new LocalMaster() {
            @Override
            public URI uri() {
                return mesos.masterUri();
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

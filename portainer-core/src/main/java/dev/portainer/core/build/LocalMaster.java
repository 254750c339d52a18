package dev.portainer.core.build;

import dev.portainer.core.mesos.scheduler.MesosCredential;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;

/** An embedded Mesos master started for one build ({@code mesosMaster=local}); closing stops it and its tasks. */
public interface LocalMaster extends AutoCloseable {
    /** The master's base URI, e.g. {@code http://127.0.0.1:40123}. */
    URI uri();

    @Override
    void close();

    /**
     * The credential this master's scheduler API (and read-only endpoints) require, made for this build alone and
     * handed over in memory; null when it requires none.
     */
    default MesosCredential credential() {
        return null;
    }

    /**
     * Starts, ahead of its launch, the executor that the next launch of shell command {@code commandValue} will be:
     * {@code command}, in a directory of its own into which {@code file} (the executor jar) is linked, waiting for its
     * launch on standard input (the executor's {@code --standby}). Best effort; without it the launch starts the
     * command as usual.
     */
    default void prepareExecutor(String commandValue, List<String> command, Path file) {
    }

    /** Starts one; core cannot depend on the implementation, so the caller supplies it. */
    interface Launcher {
        LocalMaster start() throws IOException;
    }
}

package dev.portainer.core.build;

import java.io.IOException;
import java.net.URI;

/** An embedded Mesos master started for one build ({@code mesosMaster=local}); closing stops it and its tasks. */
public interface LocalMaster extends AutoCloseable {
    /** The master's base URI, e.g. {@code http://127.0.0.1:40123}. */
    URI uri();

    @Override
    void close();

    /** Starts one; core cannot depend on the implementation, so the caller supplies it. */
    interface Launcher {
        LocalMaster start() throws IOException;
    }
}

package dev.portainer.core.staging;

import java.io.IOException;

/**
 * Runs Hadoop calls with the thread's context class loader set to the one that loaded Portainer: Hadoop finds its
 * filesystems (ServiceLoader), configuration files and codecs through the context class loader, which inside
 * Maven may be another realm than the plugin's (e.g. on a thread Maven or a library started).
 */
final class InPluginLoader {
    /** A Hadoop call. */
    interface HadoopCall<T> {
        T call() throws IOException;
    }

    private InPluginLoader() {
    }

    static <T> T call(HadoopCall<T> call) throws IOException {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(InPluginLoader.class.getClassLoader());
        try {
            return call.call();
        } finally {
            thread.setContextClassLoader(previous);
        }
    }
}

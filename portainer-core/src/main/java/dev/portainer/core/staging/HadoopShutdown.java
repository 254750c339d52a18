package dev.portainer.core.staging;

import org.apache.hadoop.util.ShutdownHookManager;

/**
 * Keeps Hadoop's JVM shutdown hook quiet. The hook thread Hadoop registers runs after Maven has closed the plugin's
 * class realm, and it loads classes then (the Comparator it sorts its hooks with, whatever the hooks themselves
 * need): every build that staged on a Hadoop filesystem ended with a {@code NoClassDefFoundError:
 * org/apache/hadoop/util/ShutdownHookManager$2} stack trace after BUILD SUCCESS. The stager closes its filesystem
 * itself, so Hadoop's hooks have nothing left to do.
 */
final class HadoopShutdown {
    private HadoopShutdown() {
    }

    /** While the realm is open: loads what Hadoop's hook thread loads lazily, so that it can still run at exit. */
    static void prepare() {
        try {
            Class.forName(ShutdownHookManager.class.getName() + "$2", true, ShutdownHookManager.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            // another Hadoop version, with no such class to load late
        }
    }

    /** Once the filesystem is closed: nothing is left for Hadoop's hooks (the FileSystem cache's finalizer). */
    static void forget() {
        ShutdownHookManager.get().clearShutdownHooks();
    }
}

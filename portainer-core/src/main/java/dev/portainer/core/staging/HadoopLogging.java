package dev.portainer.core.staging;

/**
 * Keeps Hadoop's start-up chatter out of the build log. Hadoop logs through SLF4J, which inside Maven is Maven's
 * own simple logger; it warns "Unable to load native-hadoop library" on every run although the pure-Java code it
 * falls back to is all a client needs.
 */
final class HadoopLogging {
    static final String NATIVE_CODE_LOADER_LEVEL = "org.slf4j.simpleLogger.log.org.apache.hadoop.util.NativeCodeLoader";

    private HadoopLogging() {
    }

    /**
     * Raises the NativeCodeLoader logger to ERROR unless the user chose a level (e.g. -D...=debug to diagnose).
     * A system property, because that is how SLF4J's simple logger (and Maven's, derived from it) is configured;
     * it is read when the logger is created, which happens on Hadoop's first use, after this.
     */
    static void quietNativeCodeWarning() {
        if (System.getProperty(NATIVE_CODE_LOADER_LEVEL) == null) {
            System.setProperty(NATIVE_CODE_LOADER_LEVEL, "error");
        }
    }
}

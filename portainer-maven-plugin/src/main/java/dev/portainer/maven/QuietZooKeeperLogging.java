package dev.portainer.maven;

import java.util.List;

/**
 * Keeps the ZooKeeper client's and Curator's INFO lines (client environment, session set-up, every reconnection) out
 * of the Maven log: a {@code zk://} master is Portainer's business, the plugin reports what matters itself.
 */
final class QuietZooKeeperLogging {
    /** Maven's SLF4J simple logger reads a logger's level from these system properties when it is first created. */
    private static final String PREFIX = "org.slf4j.simpleLogger.log.";
    private static final List<String> LOGGERS = List.of("org.apache.zookeeper", "org.apache.curator");

    private QuietZooKeeperLogging() {
    }

    /** Sets WARN for them unless the user chose a level (-Dorg.slf4j.simpleLogger.log.org.apache.zookeeper=…). */
    static void apply() {
        for (String logger : LOGGERS) {
            if (System.getProperty(PREFIX + logger) == null) {
                System.setProperty(PREFIX + logger, "warn");
            }
        }
    }
}

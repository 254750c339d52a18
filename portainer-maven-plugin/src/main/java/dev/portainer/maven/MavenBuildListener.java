package dev.portainer.maven;

import dev.portainer.core.scheduler.BuildEvents;
import org.apache.maven.plugin.logging.Log;

/** Prints a build's progress in the Maven log; Docker's output is prefixed by the image name. */
final class MavenBuildListener implements BuildEvents {
    private final Log log;
    private final String prefix;

    MavenBuildListener(Log log, String image) {
        this.log = log;
        this.prefix = "[" + image + "] ";
    }

    @Override
    public void info(String message) {
        log.info(message);
    }

    @Override
    public void warn(String message) {
        log.warn(message);
    }

    @Override
    public void log(String taskName, String line) {
        log.info(prefix + line);
    }
}

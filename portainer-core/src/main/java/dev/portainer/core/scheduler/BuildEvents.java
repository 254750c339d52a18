package dev.portainer.core.scheduler;

/** Where a build reports progress; the Maven plugin maps it to its Log. Called from the thread that runs the build. */
public interface BuildEvents {
    /** Progress worth a line in the build output (subscribed, launched on host X, running…). */
    void info(String message);

    /** One line of the build's own output, in order. */
    void log(String taskName, String line);

    /** Something went wrong without failing the build (lost log lines, a reconnection). */
    void warn(String message);
}

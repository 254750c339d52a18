package dev.portainer.core.build;

/** Where a build reports progress; the Mojo maps it to Maven's log, core never prints. */
public interface BuildListener {
    /** A step of Portainer itself (packing, staging, waiting for an offer…). */
    void info(String message);

    /** Something the user should know that does not fail the build. */
    void warn(String message);

    /** A line of Docker's build or push output, in order. */
    void buildLog(String line);
}

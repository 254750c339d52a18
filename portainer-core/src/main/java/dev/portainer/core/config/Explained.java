package dev.portainer.core.config;

/** A failure whose message names settings, so that each front end can render it in its users' terms. */
public interface Explained {
    /** What went wrong and how to fix it. */
    Message explanation();
}

package dev.portainer.core.context;

/** A malformed ignore pattern, before we know which .dockerignore line it came from. */
final class BadPatternException extends Exception {
    private static final long serialVersionUID = 1L;

    BadPatternException(String reason) {
        super(reason);
    }
}

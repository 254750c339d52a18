package dev.portainer.core.context;

/** A .dockerignore pattern Docker would reject; names the file and line so the user can fix it. */
public final class DockerIgnoreException extends ContextException {
    private static final long serialVersionUID = 1L;

    private final String source;
    private final int line;
    private final String pattern;

    DockerIgnoreException(String source, int line, String pattern, String reason) {
        super("Invalid pattern '" + pattern + "' on line " + line + " of " + source + ": " + reason
                + ". Fix or remove that line.");
        this.source = source;
        this.line = line;
        this.pattern = pattern;
    }

    /** Where the pattern came from, e.g. the .dockerignore path. */
    public String source() {
        return source;
    }

    /** 1-based line number (or position in a pattern list). */
    public int line() {
        return line;
    }

    /** The offending pattern as written. */
    public String pattern() {
        return pattern;
    }
}

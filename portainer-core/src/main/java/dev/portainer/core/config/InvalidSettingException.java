package dev.portainer.core.config;

/**
 * A setting has a value core cannot use: the user's to fix. Only this (never a bare IllegalArgumentException, which
 * is a bug) is reported as a configuration error.
 */
public class InvalidSettingException extends IllegalArgumentException implements Explained {
    private static final long serialVersionUID = 1L;

    private final transient Message explanation;

    /** A refusal that names no setting (its text says which value is wrong). */
    public InvalidSettingException(String message) {
        this(Message.of(message));
    }

    public InvalidSettingException(Message explanation) {
        super(explanation.toString());
        this.explanation = explanation;
    }

    public InvalidSettingException(Message explanation, Throwable cause) {
        super(explanation.toString(), cause);
        this.explanation = explanation;
    }

    @Override
    public Message explanation() {
        return explanation;
    }
}

package dev.portainer.core.auth;

/** Registry credentials could not be read (a broken config file or credential helper); the message names it. */
public final class CredentialsException extends Exception {
    public CredentialsException(String message, Throwable cause) {
        super(message, cause);
    }
}

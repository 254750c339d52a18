package dev.portainer.wire;

/** A payload between scheduler and executor that cannot be understood (corrupt or from another version). */
public final class WireFormatException extends RuntimeException {
    public WireFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}

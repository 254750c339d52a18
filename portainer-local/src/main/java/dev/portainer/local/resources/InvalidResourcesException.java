package dev.portainer.local.resources;

/** Resources that portainer-local cannot account for (reservations, volumes, unknown range kinds...). */
public final class InvalidResourcesException extends Exception {
    public InvalidResourcesException(String message) {
        super(message);
    }
}

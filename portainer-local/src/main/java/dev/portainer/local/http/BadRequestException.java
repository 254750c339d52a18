package dev.portainer.local.http;

/** A request that Mesos would refuse: carries the HTTP status and the plain-text body Mesos would send. */
public final class BadRequestException extends Exception {
    private final int status;

    public BadRequestException(int status, String body) {
        super(body);
        this.status = status;
    }

    public BadRequestException(String body) {
        this(400, body);
    }

    public int status() {
        return status;
    }
}

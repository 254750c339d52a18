package dev.portainer.core.mesos;

import java.io.IOException;
import java.net.URI;

/**
 * A Mesos HTTP API answered a call with a status other than the one expected. Mesos explains refusals in a plain-text
 * body (e.g. "Framework cannot be found"), which is kept verbatim because it is the most useful thing to show a user.
 */
public final class MesosHttpException extends IOException {
    private final String call;
    private final URI uri;
    private final int status;
    private final String body;

    public MesosHttpException(String call, URI uri, int status, String body) {
        super(call + " to " + uri + " was answered HTTP " + status
                + (body == null || body.isBlank() ? " with no explanation" : ": " + body.strip()));
        this.call = call;
        this.uri = uri;
        this.status = status;
        this.body = body == null ? "" : body;
    }

    /** The call's type, e.g. {@code ACCEPT}. */
    public String call() {
        return call;
    }

    public URI uri() {
        return uri;
    }

    public int status() {
        return status;
    }

    /** The response body exactly as the master sent it (empty if none). */
    public String body() {
        return body;
    }
}

package dev.portainer.core.mesos;

import java.net.URI;
import java.net.http.HttpResponse;

/**
 * Where a non-leading Mesos master sends us. Masters answer 307 with a protocol-relative {@code Location}
 * ({@code //host:port/master/api/v1/scheduler}), so the scheme has to come from the request we made.
 */
public final class MesosRedirects {
    /** Enough for any sane leader election; more means masters pointing at each other. */
    public static final int MAX_REDIRECTS = 5;

    private MesosRedirects() {
    }

    public static boolean isRedirect(int status) {
        return status == 307 || status == 308;
    }

    /** Resolves a redirect's Location against the URI that was called; throws if the header is missing or bad. */
    public static URI target(URI called, HttpResponse<?> response) {
        String location = response.headers().firstValue("Location").orElseThrow(() -> new IllegalStateException(
                "The Mesos master at " + called + " redirected (HTTP " + response.statusCode()
                        + ") without a Location header"));
        return resolve(called, location);
    }

    static URI resolve(URI called, String location) {
        try {
            return called.resolve(URI.create(location.strip()));
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("The Mesos master at " + called + " redirected to an invalid Location '"
                    + location + "'", e);
        }
    }
}

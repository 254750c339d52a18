package dev.portainer.local.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.portainer.wire.auth.Secret;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Map;

/**
 * libprocess's basic HTTP authenticator for one realm: a request must carry {@code Authorization: Basic} with a
 * known principal and its secret, else it is answered {@code 401 Unauthorized.} with the realm's challenge, before
 * the endpoint looks at it. With no credentials it lets everything through, like a Mesos started without the
 * {@code --authenticate_*} flags.
 */
public final class BasicAuthenticator {
    private final String realm;
    private final Map<String, Secret> credentials;

    /** @param credentials principal → secret; empty: no authentication */
    public BasicAuthenticator(String realm, Map<String, Secret> credentials) {
        this.realm = realm;
        this.credentials = Map.copyOf(credentials);
    }

    /** Whether requests must authenticate. */
    public boolean enabled() {
        return !credentials.isEmpty();
    }

    /**
     * The principal of a valid header, or null: the checks of libprocess's basic authenticator (the "Basic" scheme,
     * exactly a principal and a secret, a known principal, its secret).
     */
    public String principal(HttpExchange exchange) {
        String header = exchange.getRequestHeaders().getFirst("Authorization");
        if (header == null) {
            return null;
        }
        String[] parts = header.split(" ");
        if (parts.length != 2 || !parts[0].equals("Basic")) {
            return null;
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(parts[1]), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
        String[] credential = decoded.split(":", -1);
        if (credential.length != 2) {
            return null;
        }
        Secret secret = credentials.get(credential[0]);
        // compared in constant time: the secret must not leak through how long a wrong guess takes
        return secret != null && MessageDigest.isEqual(secret.reveal().getBytes(StandardCharsets.UTF_8),
                credential[1].getBytes(StandardCharsets.UTF_8)) ? credential[0] : null;
    }

    /**
     * Whether the request may go on: true without authentication or with a valid credential; otherwise it has
     * been answered 401 with this realm's challenge, its body read and discarded.
     */
    public boolean admit(HttpExchange exchange) throws IOException {
        if (!enabled() || principal(exchange) != null) {
            return true;
        }
        exchange.getRequestBody().readAllBytes();
        exchange.getResponseHeaders().set("WWW-Authenticate", "Basic realm=\"" + realm + "\"");
        Responses.text(exchange, 401, "401 Unauthorized.");
        return false;
    }

    /** {@code handler}, behind this authenticator. */
    public HttpHandler guard(HttpHandler handler) {
        if (!enabled()) {
            return handler;
        }
        return exchange -> {
            if (admit(exchange)) {
                handler.handle(exchange);
            }
        };
    }
}

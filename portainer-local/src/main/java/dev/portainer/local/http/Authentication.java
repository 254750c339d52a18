package dev.portainer.local.http;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;

/** What an HTTP authenticator made of a request, as libprocess's {@code AuthenticationResult}. */
public sealed interface Authentication {
    /** The request comes from {@code principal}. */
    record Authenticated(Principal principal) implements Authentication {
    }

    /**
     * The request is refused with 401 and this {@code WWW-Authenticate} challenge; libprocess's {@code Unauthorized}
     * answers {@code 401 Unauthorized.} as its body, whatever the reason (the reason is in the challenge).
     */
    record Unauthorized(String challenge) implements Authentication {
        public void send(HttpExchange exchange) throws IOException {
            exchange.getResponseHeaders().set("WWW-Authenticate", challenge);
            Responses.text(exchange, 401, "401 Unauthorized.");
        }
    }
}

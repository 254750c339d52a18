package dev.portainer.local.http;

import com.google.protobuf.Message;
import com.sun.net.httpserver.HttpExchange;
import dev.portainer.wire.mesos.MesosMediaTypes;

/**
 * The request checks that the master's scheduler API and the agent's executor API share, in Mesos's order and with
 * its texts: POST only, a Content-Type of JSON or protobuf, a body that parses; and, for a streaming call, an
 * Accept the stream can be written in.
 */
public final class ApiCalls {
    private ApiCalls() {
    }

    /** Parses the body as a call of {@code type}'s kind, or refuses the request like Mesos does. */
    public static <T extends Message> T read(HttpExchange exchange, byte[] body, T type) throws BadRequestException {
        if (!exchange.getRequestMethod().equals("POST")) {
            exchange.getResponseHeaders().set("Allow", "POST");
            throw new BadRequestException(405, "Expecting one of { 'POST' }, but received '"
                    + exchange.getRequestMethod() + "'");
        }
        if (exchange.getRequestHeaders().getFirst("Content-Type") == null) {
            throw new BadRequestException("Expecting 'Content-Type' to be present");
        }
        MediaType contentType = MediaType.ofContentType(exchange.getRequestHeaders())
                .orElseThrow(() -> new BadRequestException(415, "Expecting 'Content-Type' of "
                        + MesosMediaTypes.JSON + " or " + MesosMediaTypes.PROTOBUF));
        return ProtoCodec.parse(type, body, contentType);
    }

    /** The type a SUBSCRIBE's event stream is written in, or 406 like Mesos. */
    public static MediaType streamType(HttpExchange exchange) throws BadRequestException {
        return MediaType.ofAccept(exchange.getRequestHeaders()).orElseThrow(() -> new BadRequestException(406,
                "Expecting 'Accept' to allow '" + MesosMediaTypes.PROTOBUF + "' or '" + MesosMediaTypes.JSON + "'"));
    }
}

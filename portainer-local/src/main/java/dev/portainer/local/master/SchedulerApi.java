package dev.portainer.local.master;

import dev.portainer.wire.mesos.MesosUuids;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.portainer.wire.mesos.MesosMediaTypes;
import dev.portainer.local.http.ApiCalls;
import dev.portainer.local.http.BadRequestException;
import dev.portainer.local.http.BasicAuthenticator;
import dev.portainer.local.http.EventStream;
import dev.portainer.local.http.MediaType;
import dev.portainer.local.http.OnLoop;
import dev.portainer.local.http.Responses;
import org.apache.mesos.v1.scheduler.Protos.Call;

import dev.portainer.wire.auth.Secret;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ExecutorService;

/** {@code /api/v1/scheduler}: decodes and checks calls like the Mesos master, then hands them to the loop. */
public final class SchedulerApi implements HttpHandler {
    /** The realm of the master's scheduler endpoint (DEFAULT_HTTP_FRAMEWORK_AUTHENTICATION_REALM in Mesos). */
    static final String REALM = "mesos-master-scheduler";
    private final Master master;
    private final ExecutorService loop;
    /** Empty: no authentication, like a master without --authenticate_http_frameworks. */
    private final BasicAuthenticator authenticator;

    public SchedulerApi(Master master, ExecutorService loop) {
        this(master, loop, Map.of());
    }

    public SchedulerApi(Master master, ExecutorService loop, Map<String, Secret> credentials) {
        this.master = master;
        this.loop = loop;
        this.authenticator = new BasicAuthenticator(REALM, credentials);
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try {
            // Like libprocess, authentication comes before the endpoint looks at the request.
            if (!authenticator.admit(exchange)) {
                return;
            }
            String principal = authenticator.enabled() ? authenticator.principal(exchange) : null;
            byte[] body = exchange.getRequestBody().readAllBytes();
            Call call = ApiCalls.read(exchange, body, Call.getDefaultInstance());
            String error = validate(call);
            if (error == null && principal != null && call.getType() == Call.Type.SUBSCRIBE
                    && call.getSubscribe().getFrameworkInfo().hasPrincipal()
                    && !principal.equals(call.getSubscribe().getFrameworkInfo().getPrincipal())) {
                error = "Authenticated principal '" + principal + "' does not match principal '"
                        + call.getSubscribe().getFrameworkInfo().getPrincipal() + "' set in `FrameworkInfo`";
            }
            if (error != null) {
                throw new BadRequestException("Failed to validate scheduler::Call: " + error);
            }
            String streamIdHeader = exchange.getRequestHeaders().getFirst(MesosMediaTypes.STREAM_ID);
            if (call.getType() == Call.Type.SUBSCRIBE) {
                MediaType accept = ApiCalls.streamType(exchange);
                if (streamIdHeader != null) {
                    throw new BadRequestException("Subscribe calls should not include the 'Mesos-Stream-Id' header");
                }
                EventStream stream = new EventStream(accept);
                String streamId = OnLoop.call(loop, () -> master.subscribe(call.getSubscribe(), stream));
                exchange.getResponseHeaders().set("Content-Type", accept.value());
                exchange.getResponseHeaders().set(MesosMediaTypes.STREAM_ID, streamId);
                exchange.sendResponseHeaders(200, 0);
                stream.pump(exchange, () -> loop.execute(() -> master.streamBroken(stream)));
                return;
            }
            OnLoop.call(loop, () -> {
                master.call(call, streamIdHeader);
                return null;
            });
            Responses.text(exchange, 202, "");
        } catch (BadRequestException e) {
            Responses.text(exchange, e.status(), e.getMessage());
        } catch (RuntimeException e) {
            Responses.text(exchange, 500, "portainer-local failed: " + e);
        }
    }

    /** The master's static checks of a call (validation.cpp), before any framework is looked up. */
    static String validate(Call call) {
        if (!call.isInitialized()) {
            return "Not initialized: " + call.getInitializationErrorString();
        }
        if (!call.hasType()) {
            return "Expecting 'type' to be present";
        }
        if (call.getType() == Call.Type.SUBSCRIBE) {
            if (!call.hasSubscribe()) {
                return "Expecting 'subscribe' to be present";
            }
            if (!call.getSubscribe().getFrameworkInfo().getId().equals(call.getFrameworkId())) {
                return "'framework_id' differs from 'subscribe.framework_info.id'";
            }
            return null;
        }
        if (!call.hasFrameworkId()) {
            return "Expecting 'framework_id' to be present";
        }
        return switch (call.getType()) {
            case ACCEPT -> call.hasAccept() ? null : "Expecting 'accept' to be present";
            case DECLINE -> call.hasDecline() ? null : "Expecting 'decline' to be present";
            case KILL -> call.hasKill() ? null : "Expecting 'kill' to be present";
            case SHUTDOWN -> call.hasShutdown() ? null : "Expecting 'shutdown' to be present";
            case ACKNOWLEDGE -> !call.hasAcknowledge() ? "Expecting 'acknowledge' to be present"
                    : MesosUuids.isValid(call.getAcknowledge().getUuid()) ? null
                    : "Not a valid UUID";
            case RECONCILE -> call.hasReconcile() ? null : "Expecting 'reconcile' to be present";
            case MESSAGE -> call.hasMessage() ? null : "Expecting 'message' to be present";
            case REQUEST -> call.hasRequest() ? null : "Expecting 'request' to be present";
            case UPDATE_FRAMEWORK -> !call.hasUpdateFramework() ? "Expecting 'update_framework' to be present"
                    : call.getFrameworkId().equals(call.getUpdateFramework().getFrameworkInfo().getId()) ? null
                    : "'framework_id' differs from 'update_framework.framework_info.id'";
            default -> null;
        };
    }
}

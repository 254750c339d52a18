package dev.portainer.local.agent;

import dev.portainer.wire.mesos.MesosUuids;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.portainer.local.http.ApiCalls;
import dev.portainer.local.http.Authentication;
import dev.portainer.local.http.BadRequestException;
import dev.portainer.local.http.EventStream;
import dev.portainer.local.http.MediaType;
import dev.portainer.local.http.OnLoop;
import dev.portainer.local.http.Principal;
import dev.portainer.local.http.Responses;
import org.apache.mesos.v1.Protos.TaskState;
import org.apache.mesos.v1.Protos.TaskStatus;
import org.apache.mesos.v1.executor.Protos.Call;

import java.io.IOException;
import java.util.concurrent.ExecutorService;

/**
 * {@code /api/v1/executor}: authenticates, decodes and checks calls like a Mesos agent started with
 * {@code --authenticate_http_executors}, then hands them to the loop.
 */
public final class ExecutorApi implements HttpHandler {
    private final Agent agent;
    private final ExecutorService loop;
    private final ExecutorTokens tokens;

    public ExecutorApi(Agent agent, ExecutorService loop, ExecutorTokens tokens) {
        this.agent = agent;
        this.loop = loop;
        this.tokens = tokens;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try {
            byte[] body = exchange.getRequestBody().readAllBytes();
            // Like libprocess, authentication comes before the endpoint looks at the request.
            Authentication authentication = tokens.authenticate(exchange.getRequestHeaders().getFirst("Authorization"));
            if (authentication instanceof Authentication.Unauthorized unauthorized) {
                unauthorized.send(exchange);
                return;
            }
            Principal principal = ((Authentication.Authenticated) authentication).principal();
            Call call = ApiCalls.read(exchange, body, Call.getDefaultInstance());
            String error = validate(call);
            if (error != null) {
                throw new BadRequestException("Failed to validate Executor::Call: " + error);
            }
            switch (call.getType()) {
                case SUBSCRIBE -> {
                    MediaType accept = ApiCalls.streamType(exchange);
                    EventStream stream = new EventStream(accept);
                    OnLoop.call(loop, () -> {
                        agent.subscribe(call, principal, stream);
                        return null;
                    });
                    exchange.getResponseHeaders().set("Content-Type", accept.value());
                    exchange.sendResponseHeaders(200, 0);
                    stream.pump(exchange, () -> loop.execute(() -> agent.executorStreamBroken(stream)));
                    return;
                }
                case UPDATE -> OnLoop.call(loop, () -> {
                    agent.update(call, principal);
                    return null;
                });
                case MESSAGE -> OnLoop.call(loop, () -> {
                    agent.message(call, principal);
                    return null;
                });
                default -> throw new BadRequestException(501, "Call " + call.getType() + " is not implemented");
            }
            Responses.text(exchange, 202, "");
        } catch (BadRequestException e) {
            Responses.text(exchange, e.status(), e.getMessage());
        } catch (RuntimeException e) {
            Responses.text(exchange, 500, "portainer-local failed: " + e);
        }
    }

    /** The agent's static checks of an executor call (slave/validation.cpp). */
    static String validate(Call call) {
        if (!call.isInitialized()) {
            return "Not initialized: " + call.getInitializationErrorString();
        }
        if (!call.hasType()) {
            return "Expecting 'type' to be present";
        }
        if (!call.hasExecutorId()) {
            return "Expecting 'executor_id' to be present";
        }
        if (!call.hasFrameworkId()) {
            return "Expecting 'framework_id' to be present";
        }
        switch (call.getType()) {
            case SUBSCRIBE:
                return call.hasSubscribe() ? null : "Expecting 'subscribe' to be present";
            case UPDATE: {
                if (!call.hasUpdate()) {
                    return "Expecting 'update' to be present";
                }
                TaskStatus status = call.getUpdate().getStatus();
                if (!status.hasUuid()) {
                    return "Expecting 'uuid' to be present";
                }
                if (!MesosUuids.isValid(status.getUuid())) {
                    return "Not a valid UUID";
                }
                if (status.hasExecutorId() && !status.getExecutorId().equals(call.getExecutorId())) {
                    return "ExecutorID in Call: " + call.getExecutorId().getValue()
                            + " does not match ExecutorID in TaskStatus: " + status.getExecutorId().getValue();
                }
                if (status.getSource() != TaskStatus.Source.SOURCE_EXECUTOR) {
                    return "Received Call from executor " + call.getExecutorId().getValue() + " of framework "
                            + call.getFrameworkId().getValue() + " with invalid source, expecting 'SOURCE_EXECUTOR'";
                }
                if (status.getState() == TaskState.TASK_STAGING) {
                    return "Received TASK_STAGING from executor " + call.getExecutorId().getValue()
                            + " of framework " + call.getFrameworkId().getValue() + " which is not allowed";
                }
                return null;
            }
            case MESSAGE:
                return call.hasMessage() ? null : "Expecting 'message' to be present";
            default:
                return null;
        }
    }
}

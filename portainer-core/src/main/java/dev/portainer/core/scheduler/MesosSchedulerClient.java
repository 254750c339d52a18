package dev.portainer.core.scheduler;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.portainer.core.mesos.MesosHttpException;
import dev.portainer.core.mesos.MesosMediaTypes;
import dev.portainer.core.mesos.MesosProtobuf;
import dev.portainer.core.mesos.MesosRedirects;
import dev.portainer.core.mesos.RecordIo;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.mesos.v1.Protos.AgentID;
import org.apache.mesos.v1.Protos.ExecutorID;
import org.apache.mesos.v1.Protos.Filters;
import org.apache.mesos.v1.Protos.FrameworkID;
import org.apache.mesos.v1.Protos.FrameworkInfo;
import org.apache.mesos.v1.Protos.Offer;
import org.apache.mesos.v1.Protos.OfferID;
import org.apache.mesos.v1.Protos.TaskID;
import org.apache.mesos.v1.scheduler.Protos.Call;
import org.apache.mesos.v1.scheduler.Protos.Event;

/**
 * A client of the Mesos v1 scheduler HTTP API (protobuf encoding): one subscription whose RecordIO event stream is read
 * by one thread, plus the calls a framework makes.
 *
 * <p>The connection is an explicit state machine, DISCONNECTED → SUBSCRIBING → SUBSCRIBED → CLOSED, driven only by the
 * event thread (and by {@link #close()}, which can only move it to CLOSED). A broken stream, a silent master (no event
 * for 5 heartbeat intervals), a 503 or a connect error lead back to DISCONNECTED and a re-SUBSCRIBE with the same
 * framework id after a capped exponential backoff, for at most the failover timeout; after that the master has
 * forgotten the framework anyway and the client gives up.
 */
public final class MesosSchedulerClient implements AutoCloseable {
    /** The connection's state. */
    public enum State { DISCONNECTED, SUBSCRIBING, SUBSCRIBED, CLOSED }

    /** Receives what happens to the subscription, always on the client's event thread, in stream order. */
    public interface Listener {
        /** Every event of the stream, SUBSCRIBED and HEARTBEAT included (a re-subscription sends SUBSCRIBED again). */
        void onEvent(Event event);

        /** The stream was lost; the client is about to re-subscribe. */
        void onDisconnected(String reason);

        /** The client stopped for good: null after {@link #close()}, else why it gave up. Called once. */
        void onClosed(ClusterException failure);
    }

    /** Mesos's default; used until SUBSCRIBED tells the real one. */
    static final Duration DEFAULT_HEARTBEAT = Duration.ofSeconds(15);
    /** A missed heartbeat or two happens under load; five means the connection is gone. */
    static final int MISSED_HEARTBEATS = 5;
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);
    private static final int MAX_ERROR_BODY = 64 * 1024;

    private record Session(URI endpoint, String streamId, FrameworkID frameworkId) {
    }

    /** Ends the stream loop when the master said ERROR: it has removed the framework, re-subscribing is pointless. */
    private static final class MasterError extends Exception {
        MasterError(String message) {
            super(message, null, false, false);
        }
    }

    private final SchedulerConfig config;
    private final Clock clock;
    private final HttpClient http;
    private final AtomicReference<State> state = new AtomicReference<>(State.DISCONNECTED);
    private final CountDownLatch closing = new CountDownLatch(1);
    private final CompletableFuture<FrameworkID> firstSubscription = new CompletableFuture<>();
    private final ScheduledExecutorService watchdog;

    private volatile Session session;
    private volatile URI leader;
    private volatile InputStream stream;
    private volatile Instant lastEventAt;
    private volatile Duration heartbeat = DEFAULT_HEARTBEAT;
    private volatile boolean watchdogFired;
    private volatile Thread eventThread;
    private volatile Listener listener;

    // Only the event thread touches these.
    private FrameworkID frameworkId;
    private int attempt;
    private Instant troubleSince;

    public MesosSchedulerClient(SchedulerConfig config, Clock clock) {
        MesosProtobuf.acceptPre22Gencode();
        this.config = Objects.requireNonNull(config, "config");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.leader = config.master().schedulerEndpoint();
        this.http = httpClient(config.sslContext());
        this.watchdog = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "portainer-mesos-watchdog"));
    }

    /**
     * HTTP/1.1 only: libprocess does not speak HTTP/2 and an h2c upgrade attempt on a POST only adds risk. Redirects
     * by hand, because the leader has to be remembered for the calls.
     *
     * @param ssl the TLS context, or null for the JVM's default
     */
    private static HttpClient httpClient(javax.net.ssl.SSLContext ssl) {
        HttpClient.Builder http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(CONNECT_TIMEOUT);
        if (ssl != null) {
            http.sslContext(ssl);
        }
        return http.build();
    }

    /**
     * Loads what a first SUBSCRIBE to the embedded master needs (the JDK's HTTP client without TLS, a request, the
     * scheduler's protobuf messages), so that a thread can do it while the master starts. Sends nothing; never throws.
     */
    public static void warmUp() {
        MesosProtobuf.acceptPre22Gencode();
        try {
            httpClient(dev.portainer.core.mesos.PlainHttpOnly.context());
            byte[] call = Call.newBuilder().setType(Call.Type.SUBSCRIBE).setSubscribe(Call.Subscribe.newBuilder()
                    .setFrameworkInfo(FrameworkInfo.newBuilder().setUser("u").setName("n"))).build().toByteArray();
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:5050/api/v1/scheduler")).timeout(CALL_TIMEOUT)
                    .header("Content-Type", MesosMediaTypes.PROTOBUF).POST(HttpRequest.BodyPublishers.ofByteArray(call))
                    .build();
            Event.parseFrom(Event.newBuilder().setType(Event.Type.SUBSCRIBED).setSubscribed(Event.Subscribed
                    .newBuilder().setFrameworkId(FrameworkID.newBuilder().setValue("f"))).build().toByteArray());
        } catch (IOException | RuntimeException e) {
            // a warm-up only
        }
    }

    /**
     * Subscribes and returns once the master answered SUBSCRIBED; from then on events go to the listener.
     *
     * @throws MasterUnreachableException the master cannot be connected to at all
     * @throws ClusterException           the master refused the subscription (its text is in the message) or no
     *                                    leader could be found within the failover timeout
     */
    public FrameworkID subscribe(Listener listener) throws ClusterException, InterruptedException {
        Objects.requireNonNull(listener, "listener");
        synchronized (this) {
            if (this.listener != null) {
                throw new IllegalStateException("subscribe() may only be called once");
            }
            this.listener = listener;
            Thread thread = daemon(this::runEventLoop, "portainer-mesos-scheduler");
            eventThread = thread;
            thread.start();
        }
        scheduleWatchdog();
        try {
            return firstSubscription.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof ClusterException cause) {
                throw cause;
            }
            throw new ClusterException("Subscribing to the Mesos master failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            close();
            throw e;
        }
    }

    public State state() {
        return state.get();
    }

    /** The framework id the master gave us, once subscribed. */
    public Optional<FrameworkID> frameworkId() {
        Session s = session;
        return s == null ? Optional.empty() : Optional.of(s.frameworkId());
    }

    /** The scheduler endpoint currently believed to be the leading master's. */
    public URI leader() {
        return leader;
    }

    /** Launches (or otherwise operates on) offers; refuseSeconds filters the unused rest of them. */
    public void accept(List<OfferID> offerIds, List<Offer.Operation> operations, double refuseSeconds)
            throws IOException, InterruptedException {
        send(Call.newBuilder().setType(Call.Type.ACCEPT).setAccept(Call.Accept.newBuilder()
                .addAllOfferIds(offerIds)
                .addAllOperations(operations)
                .setFilters(Filters.newBuilder().setRefuseSeconds(refuseSeconds))));
    }

    /** Declines offers and asks not to see these agents' resources again for refuseSeconds. */
    public void decline(List<OfferID> offerIds, double refuseSeconds) throws IOException, InterruptedException {
        send(Call.newBuilder().setType(Call.Type.DECLINE).setDecline(Call.Decline.newBuilder()
                .addAllOfferIds(offerIds)
                .setFilters(Filters.newBuilder().setRefuseSeconds(refuseSeconds))));
    }

    /** Acknowledges a status update that carried a uuid (updates without one must not be acknowledged). */
    public void acknowledge(AgentID agentId, TaskID taskId, ByteString uuid) throws IOException, InterruptedException {
        send(Call.newBuilder().setType(Call.Type.ACKNOWLEDGE).setAcknowledge(Call.Acknowledge.newBuilder()
                .setAgentId(agentId).setTaskId(taskId).setUuid(uuid)));
    }

    public void kill(TaskID taskId, AgentID agentId) throws IOException, InterruptedException {
        Call.Kill.Builder kill = Call.Kill.newBuilder().setTaskId(taskId);
        if (agentId != null) {
            kill.setAgentId(agentId);
        }
        send(Call.newBuilder().setType(Call.Type.KILL).setKill(kill));
    }

    /** Asks for the latest state of these tasks (empty: of all our tasks); answers come as UPDATE events. */
    public void reconcile(List<Call.Reconcile.Task> tasks) throws IOException, InterruptedException {
        send(Call.newBuilder().setType(Call.Type.RECONCILE).setReconcile(Call.Reconcile.newBuilder()
                .addAllTasks(tasks)));
    }

    /** Stops offers for all our roles until {@link #revive()}. */
    public void suppress() throws IOException, InterruptedException {
        send(Call.newBuilder().setType(Call.Type.SUPPRESS));
    }

    /** Asks for offers again and drops the refuse filters set by declines. */
    public void revive() throws IOException, InterruptedException {
        send(Call.newBuilder().setType(Call.Type.REVIVE));
    }

    /** Sends a best-effort framework message to an executor. */
    public void message(AgentID agentId, ExecutorID executorId, byte[] data) throws IOException, InterruptedException {
        send(Call.newBuilder().setType(Call.Type.MESSAGE).setMessage(Call.Message.newBuilder()
                .setAgentId(agentId).setExecutorId(executorId).setData(ByteString.copyFrom(data))));
    }

    /**
     * Removes the framework from Mesos, which kills all its tasks and executors, then closes this client. The master
     * ends the stream after a TEARDOWN; that is not a connection loss, so the client stops first.
     */
    public void teardown() throws IOException, InterruptedException {
        try {
            send(Call.newBuilder().setType(Call.Type.TEARDOWN));
        } finally {
            close();
        }
    }

    /** Stops the event thread and the stream without telling the master (the failover timeout then applies). */
    @Override
    public void close() {
        State previous = state.getAndSet(State.CLOSED);
        if (previous == State.CLOSED) {
            return;
        }
        closing.countDown();
        closeQuietly(stream);
        watchdog.shutdownNow();
        firstSubscription.completeExceptionally(new ClusterException("The Mesos scheduler client was closed"));
        Thread thread = eventThread;
        if (thread == null) {
            finish(null);
        } else if (thread != Thread.currentThread()) {
            // Aborts an HTTP exchange still waiting to connect or for response headers.
            thread.interrupt();
            try {
                thread.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void send(Call.Builder call) throws IOException, InterruptedException {
        Session s = session;
        if (s == null || state.get() == State.CLOSED && call.getType() != Call.Type.TEARDOWN) {
            throw new IllegalStateException("Cannot send " + call.getType() + ": not subscribed to a Mesos master");
        }
        byte[] body = call.setFrameworkId(s.frameworkId()).build().toByteArray();
        URI endpoint = s.endpoint();
        for (int hops = 0; ; hops++) {
            HttpRequest.Builder request = HttpRequest.newBuilder(endpoint)
                    .timeout(CALL_TIMEOUT)
                    .header("Content-Type", MesosMediaTypes.PROTOBUF)
                    .header("Accept", MesosMediaTypes.PROTOBUF)
                    .header(MesosMediaTypes.STREAM_ID, s.streamId())
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body));
            authorize(request);
            HttpResponse<String> response = http.send(request.build(),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            int status = response.statusCode();
            if (MesosRedirects.isRedirect(status) && hops < MesosRedirects.MAX_REDIRECTS) {
                // Leadership moved under us; the stream will break and re-subscribe to the new leader.
                endpoint = MesosRedirects.target(endpoint, response);
                continue;
            }
            if (status / 100 != 2) {
                throw new MesosHttpException(call.getType().name(), endpoint, status, response.body());
            }
            return;
        }
    }

    private void runEventLoop() {
        ClusterException failure = null;
        try {
            failure = subscribeUntilClosed();
        } catch (RuntimeException | Error e) {
            failure = new ClusterException("The Mesos scheduler client failed unexpectedly: " + e, e);
        } finally {
            state.set(State.CLOSED);
            closing.countDown();
            watchdog.shutdownNow();
            if (failure != null) {
                firstSubscription.completeExceptionally(failure);
            }
            finish(failure);
        }
    }

    /** The connection state machine. Returns null when closed, or why it gave up. */
    private ClusterException subscribeUntilClosed() {
        while (true) {
            if (!transition(State.SUBSCRIBING)) {
                return null;
            }
            String problem;
            try {
                problem = subscribeAndStream();
            } catch (MasterError e) {
                return new ClusterException("The Mesos master ended the subscription of framework "
                        + frameworkIdText() + ": " + e.getMessage());
            } catch (MesosHttpException e) {
                if (e.status() == 401) {
                    return new ClusterException(unauthorizedMessage(e), e);
                }
                if (e.status() != 503) {
                    return new ClusterException("The Mesos master '" + config.master().address()
                            + "' refused to subscribe the framework: HTTP " + e.status() + ": " + e.body().strip(), e);
                }
                problem = "no leading master (HTTP 503 from " + e.uri() + ")";
            } catch (InvalidProtocolBufferException e) {
                return new ClusterException("The Mesos master at " + leader + " sent an event that is not a v1 "
                        + "scheduler Event: " + e.getMessage() + "; is it really a Mesos master (1.x)?", e);
            } catch (IOException e) {
                if (state.get() == State.CLOSED) {
                    return null;
                }
                if (e instanceof javax.net.ssl.SSLException && !firstSubscription.isDone()) {
                    return new ClusterException("Cannot set up TLS with the Mesos master at " + leader + ": "
                            + describe(e) + ". If the master's certificate is signed by a private CA, set "
                            + "<mesosCaCertificate> (portainer.mesosCaCertificate) to that CA's certificate (PEM); "
                            + "the certificate must also name the host you connect to", e);
                }
                if (isConnectFailure(e)) {
                    if (!firstSubscription.isDone()) {
                        return new MasterUnreachableException(config.master(), leader.toString(), e);
                    }
                    // The remembered leader is gone: ask the configured master who leads now.
                    leader = config.master().schedulerEndpoint();
                }
                problem = describe(e);
            } catch (InterruptedException e) {
                if (state.get() == State.CLOSED) {
                    return null;
                }
                problem = "interrupted";
            }
            if (!transition(State.DISCONNECTED)) {
                return null;
            }
            if (firstSubscription.isDone()) {
                listener.onDisconnected(problem);
            }
            Instant now = clock.instant();
            if (troubleSince == null) {
                troubleSince = now;
            }
            Instant deadline = troubleSince.plus(config.failoverTimeout());
            if (!now.isBefore(deadline)) {
                return new ClusterException("Lost the Mesos master '" + config.master().address() + "' for longer than "
                        + "the failover timeout (" + config.failoverTimeout().toSeconds() + " s); last problem: "
                        + problem);
            }
            // The last attempt is made at the deadline, not a whole backoff after it: by then the master has
            // removed the framework, and with a short failover timeout the backoff is a large part of it.
            Duration untilDeadline = Duration.between(now, deadline);
            Duration pause = config.backoff().delay(attempt++);
            try {
                if (closing.await(Math.min(pause.toMillis(), untilDeadline.toMillis()), TimeUnit.MILLISECONDS)) {
                    return null;
                }
            } catch (InterruptedException e) {
                return null;
            }
            if (config.detector() != null) {
                // Whatever broke the stream may be a failover, even if the old leader still answers.
                String failed = redetect();
                if (failed != null) {
                    listener.onDisconnected(failed);
                }
            }
        }
    }

    /** One SUBSCRIBE and its stream. Returns why the stream ended, or throws why it could not start. */
    private String subscribeAndStream() throws IOException, InterruptedException, MasterError {
        URI endpoint = leader;
        HttpResponse<InputStream> response;
        for (int hops = 0; ; hops++) {
            HttpRequest.Builder request = HttpRequest.newBuilder(endpoint)
                    // Bounds the wait for the response headers only; the stream itself is watched by heartbeats.
                    .timeout(CALL_TIMEOUT)
                    .header("Content-Type", MesosMediaTypes.PROTOBUF)
                    .header("Accept", MesosMediaTypes.PROTOBUF)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(subscribeCall().toByteArray()));
            authorize(request);
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
            if (!MesosRedirects.isRedirect(response.statusCode())) {
                break;
            }
            closeQuietly(response.body());
            if (hops >= MesosRedirects.MAX_REDIRECTS) {
                throw new IOException("Mesos masters redirected SUBSCRIBE more than " + MesosRedirects.MAX_REDIRECTS
                        + " times, last to " + endpoint);
            }
            endpoint = MesosRedirects.target(endpoint, response);
        }
        InputStream in = response.body();
        try (in) {
            if (response.statusCode() != 200) {
                String text = new String(in.readNBytes(MAX_ERROR_BODY), StandardCharsets.UTF_8);
                throw new MesosHttpException("SUBSCRIBE", endpoint, response.statusCode(), text);
            }
            String streamId = response.headers().firstValue(MesosMediaTypes.STREAM_ID).orElseThrow(() ->
                    new IOException("The Mesos master's SUBSCRIBE response has no " + MesosMediaTypes.STREAM_ID
                            + " header"));
            leader = endpoint;
            watchdogFired = false;
            lastEventAt = clock.instant();
            stream = in;
            if (state.get() == State.CLOSED) {
                return "closed";
            }
            byte[] record;
            try {
                while ((record = RecordIo.read(in)) != null) {
                    lastEventAt = clock.instant();
                    dispatch(Event.parseFrom(record), endpoint, streamId);
                }
            } catch (IOException e) {
                if (watchdogFired) {
                    return "no event from the master for " + heartbeat.multipliedBy(MISSED_HEARTBEATS).toMillis()
                            + " ms (" + MISSED_HEARTBEATS + " heartbeat intervals)";
                }
                throw e;
            }
            return "the master closed the event stream";
        } finally {
            stream = null;
        }
    }

    /** Where every event is handled: the client's own bookkeeping, then the listener. */
    private void dispatch(Event event, URI endpoint, String streamId) throws MasterError {
        switch (event.getType()) {
            case SUBSCRIBED -> {
                Event.Subscribed subscribed = event.getSubscribed();
                frameworkId = subscribed.getFrameworkId();
                if (subscribed.hasHeartbeatIntervalSeconds() && subscribed.getHeartbeatIntervalSeconds() > 0) {
                    heartbeat = Duration.ofNanos((long) (subscribed.getHeartbeatIntervalSeconds() * 1e9));
                }
                session = new Session(endpoint, streamId, frameworkId);
                transition(State.SUBSCRIBED);
                attempt = 0;
                troubleSince = null;
                firstSubscription.complete(frameworkId);
            }
            case ERROR -> {
                listener.onEvent(event);
                throw new MasterError(event.getError().getMessage());
            }
            default -> {
                // Everything else is the listener's business.
            }
        }
        listener.onEvent(event);
    }

    private Call subscribeCall() {
        FrameworkInfo.Builder info = config.frameworkInfo().toBuilder();
        Call.Builder call = Call.newBuilder().setType(Call.Type.SUBSCRIBE);
        if (frameworkId != null) {
            // Same id again: the master then keeps our task instead of treating us as a new framework.
            info.setId(frameworkId);
            call.setFrameworkId(frameworkId);
        }
        return call.setSubscribe(Call.Subscribe.newBuilder().setFrameworkInfo(info)).build();
    }

    /**
     * Asks the detector for the leader and makes it the next SUBSCRIBE's target. Returns a note for the
     * disconnection message when the detector failed (the previous leader is kept, and asked again after the
     * backoff), else null.
     */
    private String redetect() {
        try {
            leader = config.detector().leader().schedulerEndpoint();
            return null;
        } catch (ClusterException e) {
            return e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted while finding the leading master";
        }
    }

        /** HTTP Basic on every request when the framework authenticates; Mesos checks each call, not only SUBSCRIBE. */
    private void authorize(HttpRequest.Builder request) {
        if (config.credential() != null) {
            request.header("Authorization", config.credential().authorization());
        }
    }

    private String unauthorizedMessage(MesosHttpException e) {
        String challenge = e.body().isBlank() ? "" : " (" + e.body().strip() + ")";
        MesosCredential credential = config.credential();
        if (credential == null) {
            return "The Mesos master '" + config.master().address() + "' requires frameworks to authenticate: HTTP "
                    + "401" + challenge + ". Set <principal> (portainer.principal) to the framework principal and "
                    + "<mesosServerId> (portainer.mesosServerId) to the id of a settings.xml <server> whose "
                    + "<password> is its secret";
        }
        return "The Mesos master '" + config.master().address() + "' rejected principal '" + credential.principal()
                + "' with the secret from " + credential.source() + ": HTTP 401" + challenge + ". Check the "
                + "principal and the <password> of that server in settings.xml against the master's --credentials";
    }

    private boolean transition(State to) {
        while (true) {
            State from = state.get();
            if (from == State.CLOSED) {
                return false;
            }
            if (state.compareAndSet(from, to)) {
                return true;
            }
        }
    }

    private void scheduleWatchdog() {
        Duration period = heartbeat.dividedBy(2);
        long millis = Math.max(10, Math.min(1_000, period.toMillis()));
        try {
            watchdog.schedule(this::checkHeartbeat, millis, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // Closed meanwhile.
        }
    }

    private void checkHeartbeat() {
        InputStream in = stream;
        Instant last = lastEventAt;
        if (in != null && last != null
                && clock.instant().isAfter(last.plus(heartbeat.multipliedBy(MISSED_HEARTBEATS)))) {
            watchdogFired = true;
            // Closing the body makes the event thread's blocked read fail, which it reports as a lost connection.
            closeQuietly(in);
        }
        if (state.get() != State.CLOSED) {
            scheduleWatchdog();
        }
    }

    private void finish(ClusterException failure) {
        Listener l = listener;
        if (l != null) {
            try {
                l.onClosed(failure);
            } catch (RuntimeException e) {
                // The listener is going away with us; nothing left to tell.
            }
        }
    }

    private String frameworkIdText() {
        return frameworkId == null ? "(not yet subscribed)" : frameworkId.getValue();
    }

    private static boolean isConnectFailure(IOException e) {
        return e instanceof ConnectException || e instanceof HttpConnectTimeoutException
                || e.getCause() instanceof ConnectException;
    }

    private static String describe(Throwable e) {
        String message = e.getMessage();
        return e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }

    private static void closeQuietly(InputStream in) {
        if (in != null) {
            try {
                in.close();
            } catch (IOException e) {
                // Nothing to do: we are abandoning the stream anyway.
            }
        }
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        // The Maven JVM must be able to exit even if a stream is stuck.
        t.setDaemon(true);
        return t;
    }
}

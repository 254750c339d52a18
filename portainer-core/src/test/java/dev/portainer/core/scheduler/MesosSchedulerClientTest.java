package dev.portainer.core.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portainer.core.mesos.MesosHttpException;
import dev.portainer.core.scheduler.FakeMesosMaster.Answer;
import dev.portainer.core.scheduler.FakeMesosMaster.Received;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.mesos.v1.scheduler.Protos.Call;
import org.apache.mesos.v1.scheduler.Protos.Event;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class MesosSchedulerClientTest {
    private final List<AutoCloseable> toClose = new CopyOnWriteArrayList<>();
    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final BlockingQueue<String> disconnections = new LinkedBlockingQueue<>();
    private final CompletableFuture<ClusterException> closed = new CompletableFuture<>();

    private final MesosSchedulerClient.Listener listener = new MesosSchedulerClient.Listener() {
        @Override
        public void onEvent(Event event) {
            events.add(event);
        }

        @Override
        public void onDisconnected(String reason) {
            disconnections.add(reason);
        }

        @Override
        public void onClosed(ClusterException failure) {
            closed.complete(failure);
        }
    };

    @AfterEach
    void stopEverything() throws Exception {
        for (AutoCloseable c : toClose) {
            c.close();
        }
    }

    private FakeMesosMaster master() throws Exception {
        FakeMesosMaster master = new FakeMesosMaster();
        toClose.add(master);
        return master;
    }

    private MesosSchedulerClient client(FakeMesosMaster master, Duration failover) {
        SchedulerConfig config = SchedulerConfig.defaults(MesosMaster.parse(master.address()), "root", "builder.test")
                .withFailoverTimeout(failover)
                .withBackoff(new Backoff(Duration.ofMillis(20), Duration.ofMillis(50)));
        MesosSchedulerClient client = new MesosSchedulerClient(config, Clock.systemUTC());
        toClose.add(client);
        return client;
    }

    @Test
    void aSilentMasterIsTreatedAsLostAfterFiveHeartbeatsAndResubscribedWithTheSameId() throws Exception {
        FakeMesosMaster master = master();
        master.heartbeatSeconds = 0.05;
        MesosSchedulerClient client = client(master, Duration.ofSeconds(20));
        client.subscribe(listener);
        assertEquals(MesosSchedulerClient.State.SUBSCRIBED, client.state());
        master.nextCall(Call.Type.SUBSCRIBE);
        master.heartbeatSeconds = 15; // the second subscription stays up

        String reason = disconnections.poll(5, TimeUnit.SECONDS);
        assertTrue(reason != null && reason.contains("5 heartbeat intervals"), String.valueOf(reason));
        Received again = master.nextCall(Call.Type.SUBSCRIBE);
        assertEquals(FakeMesosMaster.FRAMEWORK_ID, again.call().getFrameworkId().getValue());
        assertEquals(FakeMesosMaster.FRAMEWORK_ID, again.call().getSubscribe().getFrameworkInfo().getId().getValue());

        waitForState(client, MesosSchedulerClient.State.SUBSCRIBED);
        client.revive();
        assertEquals("stream-2", master.nextCall(Call.Type.REVIVE).streamId());
    }

    @Test
    void heartbeatsKeepTheConnection() throws Exception {
        FakeMesosMaster master = master();
        master.heartbeatSeconds = 0.05;
        MesosSchedulerClient client = client(master, Duration.ofSeconds(20));
        client.subscribe(listener);
        for (int i = 0; i < 15; i++) {
            Thread.sleep(40);
            master.send(FakeMesosMaster.heartbeat());
        }
        assertNull(disconnections.poll(), "600 ms of heartbeats every 40 ms must not look like a lost master");
        assertEquals(1, master.subscriptions());
    }

    @Test
    void givesUpWhenNoMasterTakesUsBackWithinTheFailoverTimeout() throws Exception {
        FakeMesosMaster master = master();
        MesosSchedulerClient client = client(master, Duration.ofMillis(300));
        client.subscribe(listener);
        master.subscribeAnswer = call -> Answer.text(503, "No leader elected");
        master.dropStream();

        ClusterException failure = closed.get(5, TimeUnit.SECONDS);
        assertTrue(failure.getMessage().contains("failover timeout"), failure.getMessage());
        assertTrue(failure.getMessage().contains("503"), failure.getMessage());
        assertEquals(MesosSchedulerClient.State.CLOSED, client.state());
        assertTrue(master.types().stream().filter(Call.Type.SUBSCRIBE::equals).count() >= 3,
                "retried with backoff: " + master.types());
    }

    @Test
    void theLastAttemptIsMadeAtTheFailoverDeadlineNotABackoffAfterIt() throws Exception {
        // Scaled down: a new leader answers 503 while it recovers, then takes the framework back until the failover
        // timeout, after which it has removed it. A whole backoff after the deadline would be too late.
        FakeMesosMaster master = master();
        SchedulerConfig config = SchedulerConfig.defaults(MesosMaster.parse(master.address()), "root", "builder.test")
                .withFailoverTimeout(Duration.ofMillis(3000))
                .withBackoff(new Backoff(Duration.ofMillis(2000), Duration.ofMillis(2000)));
        MesosSchedulerClient client = new MesosSchedulerClient(config, Clock.systemUTC());
        toClose.add(client);
        client.subscribe(listener);
        master.nextCall(Call.Type.SUBSCRIBE);
        long dropped = System.nanoTime();
        master.subscribeAnswer = call -> {
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - dropped);
            return ms < 2500 ? Answer.text(503, "No leader elected")
                    : ms > 3500 ? Answer.text(403, "Framework has been removed") : null;
        };
        master.dropStream();

        assertTrue(disconnections.poll(5, TimeUnit.SECONDS) != null);
        Received again = master.nextCall(Call.Type.SUBSCRIBE);
        assertEquals(FakeMesosMaster.FRAMEWORK_ID, again.call().getFrameworkId().getValue());
        waitForState(client, MesosSchedulerClient.State.SUBSCRIBED);
        assertFalse(closed.isDone(), "taken back at the deadline: " + (closed.isDone() ? closed.get() : ""));
    }

    @Test
    void aMasterWithoutLeaderAtFirstIsRetriedUntilOneIsElected() throws Exception {
        FakeMesosMaster master = master();
        java.util.concurrent.atomic.AtomicInteger attempts = new java.util.concurrent.atomic.AtomicInteger();
        master.subscribeAnswer = call -> attempts.incrementAndGet() <= 2 ? Answer.text(503, "No leader elected") : null;
        MesosSchedulerClient client = client(master, Duration.ofSeconds(10));
        assertEquals(FakeMesosMaster.FRAMEWORK_ID, client.subscribe(listener).getValue());
        // The fake records a successful SUBSCRIBE only after SUBSCRIBED went out, so the client may be first.
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (master.types().size() < 3 && System.nanoTime() < end) {
            Thread.sleep(5);
        }
        assertEquals(List.of(Call.Type.SUBSCRIBE, Call.Type.SUBSCRIBE, Call.Type.SUBSCRIBE), master.types());
    }

    @Test
    void aRefusedCallCarriesStatusAndTheMastersTextVerbatim() throws Exception {
        FakeMesosMaster master = master();
        master.answers = call -> Answer.text(400, "Framework cannot be found");
        MesosSchedulerClient client = client(master, Duration.ofSeconds(10));
        client.subscribe(listener);
        MesosHttpException e = assertThrows(MesosHttpException.class, client::suppress);
        assertEquals(400, e.status());
        assertEquals("Framework cannot be found", e.body());
        assertEquals("SUPPRESS", e.call());
    }

    @Test
    void teardownClosesTheClientWithoutReconnecting() throws Exception {
        FakeMesosMaster master = master();
        MesosSchedulerClient client = client(master, Duration.ofSeconds(10));
        client.subscribe(listener);
        client.teardown();
        master.dropStream();
        assertNull(closed.get(5, TimeUnit.SECONDS), "closed on purpose, not failed");
        assertEquals(MesosSchedulerClient.State.CLOSED, client.state());
        Thread.sleep(100);
        assertEquals(List.of(Call.Type.SUBSCRIBE, Call.Type.TEARDOWN), master.types());
        assertThrows(IllegalStateException.class, client::revive);
    }

    @Test
    void anErrorEventEndsTheSubscriptionForGood() throws Exception {
        FakeMesosMaster master = master();
        MesosSchedulerClient client = client(master, Duration.ofSeconds(10));
        client.subscribe(listener);
        master.send(Event.newBuilder().setType(Event.Type.ERROR)
                .setError(Event.Error.newBuilder().setMessage("Framework has been removed")).build());
        ClusterException failure = closed.get(5, TimeUnit.SECONDS);
        assertTrue(failure.getMessage().contains("Framework has been removed"), failure.getMessage());
        assertEquals(1, master.subscriptions());
    }

    private static void waitForState(MesosSchedulerClient client, MesosSchedulerClient.State state)
            throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (client.state() != state) {
            if (System.nanoTime() > end) {
                throw new AssertionError("state is " + client.state() + ", expected " + state);
            }
            Thread.sleep(5);
        }
    }
}

package dev.portainer.core.mesos.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portainer.core.mesos.MesosHttpException;
import dev.portainer.core.scheduler.ClusterException;
import dev.portainer.core.scheduler.FakeMesosMaster;
import dev.portainer.core.scheduler.FakeMesosMaster.Answer;
import dev.portainer.core.scheduler.FakeMesosMaster.Received;
import dev.portainer.core.scheduler.SchedulerConfig;
import java.net.URI;
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

    @Test
    void aStreamGivenUpForSilenceIsReportedOnceAndReplacedByOneSubscription() throws Exception {
        // The dropped stream's reader still reports its end after the client moved on; that report is stale.
        FakeMesosMaster master = master();
        master.heartbeatSeconds = 0.05;
        MesosSchedulerClient client = client(master, Duration.ofSeconds(20));
        client.subscribe(listener);
        master.nextCall(Call.Type.SUBSCRIBE);
        master.heartbeatSeconds = 15;
        master.nextCall(Call.Type.SUBSCRIBE);
        waitForState(client, MesosSchedulerClient.State.SUBSCRIBED);
        Thread.sleep(300);
        assertEquals(1, disconnections.size(), "one lost connection: " + disconnections);
        assertEquals(2, master.subscriptions());
        assertEquals(MesosSchedulerClient.State.SUBSCRIBED, client.state());
    }

    @Test
    void anEventAlreadyReadFromAStreamGivenUpOnIsNotDelivered() throws Exception {
        // The event thread falls behind (here: its clock jumps an hour while it hands over an event), so the
        // watchdog gives the stream up while the next event of that stream is already queued.
        FakeMesosMaster master = master();
        ShiftedClock clock = new ShiftedClock();
        SchedulerConfig config = SchedulerConfig.defaults(MesosMaster.parse(master.address()), "root", "builder.test")
                .withFailoverTimeout(Duration.ofSeconds(20))
                .withBackoff(new Backoff(Duration.ofMillis(20), Duration.ofMillis(50)));
        MesosSchedulerClient client = new MesosSchedulerClient(config, clock);
        toClose.add(client);
        client.subscribe(new MesosSchedulerClient.Listener() {
            @Override
            public void onEvent(Event event) {
                if (event.getType() == Event.Type.OFFERS && event.getOffers().getOffers(0).getId().getValue()
                        .equals("O1")) {
                    try {
                        Thread.sleep(300); // O2 is read and queued meanwhile
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    clock.shift(Duration.ofHours(1));
                }
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
        });
        master.nextCall(Call.Type.SUBSCRIBE);
        master.send(FakeMesosMaster.offers(FakeMesosMaster.offer("O1", "S1", 1, 128)));
        master.send(FakeMesosMaster.offers(FakeMesosMaster.offer("O2", "S1", 1, 128)));

        String reason = disconnections.poll(5, TimeUnit.SECONDS);
        assertTrue(reason != null && reason.contains("5 heartbeat intervals"), String.valueOf(reason));
        master.nextCall(Call.Type.SUBSCRIBE);
        waitForState(client, MesosSchedulerClient.State.SUBSCRIBED);
        List<String> seen = new java.util.ArrayList<>();
        for (Event e : events) {
            seen.add(e.getType() == Event.Type.OFFERS ? e.getOffers().getOffers(0).getId().getValue()
                    : e.getType().name());
        }
        assertEquals(List.of("SUBSCRIBED", "O1", "SUBSCRIBED"), seen);
    }

    @Test
    void redirectsAreFollowedAlikeForSubscribeAndForCalls() throws Exception {
        FakeMesosMaster follower = master();
        FakeMesosMaster leader = master();
        FakeMesosMaster newLeader = master();
        follower.subscribeAnswer = call -> new Answer(307, "", "//127.0.0.1:" + leader.port()
                + "/master/api/v1/scheduler");
        leader.answers = call -> new Answer(307, "", "//127.0.0.1:" + newLeader.port() + "/master/api/v1/scheduler");
        MesosSchedulerClient client = client(follower, Duration.ofSeconds(10));
        client.subscribe(listener);
        assertEquals(URI.create("http://127.0.0.1:" + leader.port() + "/master/api/v1/scheduler"), client.leader());

        client.revive();
        Received revive = newLeader.nextCall(Call.Type.REVIVE);
        assertEquals("stream-1", revive.streamId(), "the call keeps its stream id across the redirect");
        assertEquals(FakeMesosMaster.FRAMEWORK_ID, revive.call().getFrameworkId().getValue());
        assertEquals("application/x-protobuf", revive.contentType());
        assertEquals(List.of(Call.Type.SUBSCRIBE, Call.Type.REVIVE), leader.types());
    }

    @Test
    void mastersRedirectingInACircleAreLeftAfterFiveHopsForSubscribeAndForCalls() throws Exception {
        FakeMesosMaster master = master();
        FakeMesosMaster circle = master();
        String self = "//127.0.0.1:" + circle.port() + "/api/v1/scheduler";
        circle.subscribeAnswer = call -> new Answer(307, "", self);
        ClusterException subscribe = assertThrows(ClusterException.class,
                () -> client(circle, Duration.ofMillis(300)).subscribe(listener));
        assertTrue(subscribe.getMessage().contains("Mesos masters redirected SUBSCRIBE more than 5 times, last to "
                + "http:" + self), subscribe.getMessage());

        master.answers = call -> new Answer(307, "", "//127.0.0.1:" + master.port() + "/api/v1/scheduler");
        MesosSchedulerClient client = client(master, Duration.ofSeconds(10));
        client.subscribe(listener);
        java.io.IOException call = assertThrows(java.io.IOException.class, client::revive);
        assertEquals("Mesos masters redirected REVIVE more than 5 times, last to http://127.0.0.1:" + master.port()
                + "/api/v1/scheduler", call.getMessage());
        assertEquals(6, master.types().stream().filter(Call.Type.REVIVE::equals).count(), "the first and 5 hops");
    }

    @Test
    void closeFromAnotherThreadEndsASubscribeTheMasterHasNotAnswered() throws Exception {
        FakeMesosMaster master = master();
        java.util.concurrent.CountDownLatch asked = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch never = new java.util.concurrent.CountDownLatch(1);
        master.subscribeAnswer = call -> {
            asked.countDown();
            try {
                never.await(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return Answer.text(503, "too late");
        };
        MesosSchedulerClient client = client(master, Duration.ofSeconds(10));
        List<Thread> before = streamReaders();
        CompletableFuture<Object> subscribed = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                subscribed.complete(client.subscribe(listener));
            } catch (Throwable e) {
                subscribed.complete(e);
            }
        });
        t.start();
        assertTrue(asked.await(5, TimeUnit.SECONDS));
        List<Thread> readers = new java.util.ArrayList<>(streamReaders());
        readers.removeAll(before);
        client.close();
        assertEquals(MesosSchedulerClient.State.CLOSED, client.state(), "closed when close() returns");
        Object outcome = subscribed.get(5, TimeUnit.SECONDS);
        assertTrue(outcome instanceof ClusterException e && e.getMessage().contains("closed"), String.valueOf(outcome));
        assertNull(closed.get(5, TimeUnit.SECONDS), "closed on purpose, not failed");
        assertEquals(1, readers.size(), "one thread makes the SUBSCRIBE: " + readers);
        readers.get(0).join(5_000);
        assertFalse(readers.get(0).isAlive(), "the SUBSCRIBE in flight was not aborted");
        never.countDown();
    }

    @Test
    void closeFromAnotherThreadEndsTheBlockedReadOfTheStream() throws Exception {
        FakeMesosMaster master = master();
        MesosSchedulerClient client = client(master, Duration.ofSeconds(10));
        List<Thread> before = streamReaders();
        client.subscribe(listener);
        List<Thread> readers = new java.util.ArrayList<>(streamReaders());
        readers.removeAll(before);
        assertEquals(1, readers.size(), "one thread reads the stream: " + readers);
        client.close();
        readers.get(0).join(5_000);
        assertFalse(readers.get(0).isAlive(), "the reader is still blocked in its read");
        assertNull(closed.get(5, TimeUnit.SECONDS));
        assertEquals(List.of(Call.Type.SUBSCRIBE), master.types(), "closed without a word to the master");
    }

    private static List<Thread> streamReaders() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("portainer-mesos-stream-") && t.isAlive()).toList();
    }

    /** The system clock, moved forward on demand. */
    private static final class ShiftedClock extends Clock {
        private volatile Duration shift = Duration.ZERO;

        void shift(Duration by) {
            shift = shift.plus(by);
        }

        @Override
        public java.time.ZoneId getZone() {
            return java.time.ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            throw new UnsupportedOperationException();
        }

        @Override
        public java.time.Instant instant() {
            return Clock.systemUTC().instant().plus(shift);
        }
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

package dev.portainer.core.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.UncheckedIOException;
import java.net.URI;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The embedded master started ahead of the build, and the warm-ups beside it: a goal that fails at once (a bad
 * parameter) must not return while they still run, or Maven closes the plugin's class realm under them and their
 * class-loading failures end up in the Maven log as stack traces.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class EagerLocalMasterTest {
    private static final Set<String> THREADS = Set.of("portainer-local-mesos-start", "portainer-scheduler-warm-up");

    @Test
    void aGoalThatFailsAtOnceReturnsOnlyOnceTheMasterIsStoppedAndTheWarmUpsEnded() {
        AtomicInteger closed = new AtomicInteger();
        EagerLocalMaster eager = EagerLocalMaster.start(() -> {
            sleep(300); // a master still starting when the goal fails
            return new LocalMaster() {
                @Override
                public URI uri() {
                    return URI.create("http://127.0.0.1:1");
                }

                @Override
                public void close() {
                    closed.incrementAndGet();
                }
            };
        });

        eager.close();

        assertEquals(1, closed.get(), "the master it started is stopped");
        assertEquals(List.of(), running(), "no thread of it outlives the goal");
    }

    @Test
    void aMasterThatCannotEvenLoadFailsTheBuildInsteadOfHangingIt() {
        EagerLocalMaster eager = EagerLocalMaster.start(() -> {
            throw new NoClassDefFoundError("org/apache/mesos/v1/Protos");
        });

        UncheckedIOException e = assertThrows(UncheckedIOException.class, eager::start);

        assertTrue(e.getCause().getCause() instanceof NoClassDefFoundError, e.toString());
        eager.close();
        assertEquals(List.of(), running());
    }

    private static List<String> running() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> THREADS.contains(t.getName()))
                .filter(Thread::isAlive).map(Thread::getName).toList();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

package dev.portainer.core.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portainer.core.scheduler.BuildEvents;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class CancelOnShutdownTest {
    private final List<String> done = new CopyOnWriteArrayList<>();
    private final BuildEvents events = new BuildEvents() {
        @Override
        public void info(String message) {
        }

        @Override
        public void warn(String message) {
            done.add("warn");
        }

        @Override
        public void log(String taskName, String line) {
        }
    };

    @Test
    void cancelsAndLetsTheBuildThreadCleanUpWhenItDoesSoInTime() throws Exception {
        CancelOnShutdown guard = CancelOnShutdown.install(events, Duration.ofSeconds(5), false);
        CancelOnShutdown.Step close = guard.cleanup("close", () -> done.add("closed"));
        CountDownLatch cancelled = new CountDownLatch(1);
        guard.onCancel(cancelled::countDown);
        Thread build = new Thread(() -> {
            try {
                cancelled.await();
                close.run();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            } finally {
                guard.close();
            }
        });
        build.start();

        guard.onShutdown();

        build.join();
        assertEquals(List.of("warn", "closed"), done, "closed once, by the build thread");
        assertTrue(guard.stopping());
    }

    @Test
    void runsTheRemainingStepsInReverseOrderWhenTheBuildThreadIsStuck() throws Exception {
        CancelOnShutdown guard = CancelOnShutdown.install(events, Duration.ofMillis(100), false);
        CancelOnShutdown.Step archive = guard.cleanup("archive", () -> done.add("archive"));
        guard.cleanup("local", () -> done.add("local"));
        guard.cleanup("stager", () -> done.add("stager"));
        archive.run();

        guard.onShutdown();

        // The build thread never called close(): the hook did the rest; what the build thread did is not redone.
        assertEquals(List.of("archive", "warn", "warn", "stager", "local"), done);
        guard.close();
    }

    @Test
    void aCancellerAddedWhileStoppingRunsAtOnce() {
        CancelOnShutdown guard = CancelOnShutdown.install(events, Duration.ofMillis(10), false);
        guard.onShutdown();
        guard.onCancel(() -> done.add("cancelled"));
        assertTrue(done.contains("cancelled"), done.toString());
        guard.close();
    }

    @Test
    void doesNothingOnceTheBuildIsOver() {
        CancelOnShutdown guard = CancelOnShutdown.install(events, Duration.ofSeconds(5), true);
        guard.cleanup("close", () -> done.add("closed"));
        guard.close();
        guard.onShutdown();
        assertEquals(List.of(), done);
    }
}

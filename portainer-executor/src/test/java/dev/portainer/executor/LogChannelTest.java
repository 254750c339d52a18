package dev.portainer.executor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portainer.wire.LogFrame;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class LogChannelTest {
    private final List<LogFrame> frames = new CopyOnWriteArrayList<>();
    private final List<String> notes = new CopyOnWriteArrayList<>();

    @Test
    void runsOfSeveralTasksNeverShareAFrameAndEachTaskKeepsItsOwnNumbers() throws Exception {
        // The sender holds the first frame back, so that what follows queues up and could be taken together.
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch firstTaken = new CountDownLatch(1);
        LogChannel channel = heldChannel(firstTaken, release, LogChannel.DEFAULT_CAPACITY_BYTES);
        channel.offer("b", 0, lines("b0"), List.of());
        assertTrue(firstTaken.await(10, TimeUnit.SECONDS));
        // Numbers that line up across tasks (a's 0 ends where b's 1 starts) must not join them in one frame.
        channel.offer("a", 0, lines("a0"), List.of());
        channel.offer("b", 1, lines("b1", "b2"), List.of(1));
        channel.offer("a", 1, lines("a1", "a2"), List.of(0));
        channel.offer("b", 3, lines("b3"), List.of());
        release.countDown();
        channel.close(1_000, 10_000);

        assertEquals(List.of(List.of("b0"), List.of("a0"), List.of("b1", "b2"), List.of("a1", "a2"), List.of("b3")),
                frames.stream().map(LogFrame::lines).toList(), "a run of another task ends the frame");
        assertEquals(List.of("b", "a", "b", "a", "b"), frames.stream().map(LogFrame::taskId).toList());
        assertEquals(List.of(0L, 0L, 1L, 1L, 3L), frames.stream().map(LogFrame::seq).toList(),
                "each task numbers its own lines");
        assertEquals(List.of(LogFrame.Kind.OUTPUT, LogFrame.Kind.PROGRESS), frames.get(2).kinds());
        assertEquals(List.of(LogFrame.Kind.PROGRESS, LogFrame.Kind.OUTPUT), frames.get(3).kinds());
        assertEquals(List.of(), notes);
    }

    @Test
    void theBoundIsSharedByAllTasksAndEachRefusalIsNotedForItsTasksFile() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch firstTaken = new CountDownLatch(1);
        LogChannel channel = heldChannel(firstTaken, release, 1_000);
        String line = "x".repeat(300);
        assertTrue(channel.offer("a", 0, lines(line), List.of()));
        assertTrue(firstTaken.await(10, TimeUnit.SECONDS)); // on its way: no longer in the queue
        assertTrue(channel.offer("b", 0, lines(line), List.of()));
        assertTrue(channel.offer("a", 1, lines(line), List.of()));
        assertTrue(channel.offer("b", 1, lines(line), List.of()));
        assertFalse(channel.offer("a", 2, lines(line), List.of()), "the tasks filled the one bound together");
        assertFalse(channel.offer("b", 2, lines(line), List.of()));
        release.countDown();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!channel.offer("b", 3, lines("b3"), List.of())) {
            assertTrue(System.nanoTime() < end, "the queue drains");
            Thread.sleep(5);
        }
        assertTrue(channel.offer("a", 4, lines("a4"), List.of()));
        channel.close(1_000, 10_000);

        assertEquals(List.of(
                "b: log lines 3 to 3 were not sent as frames: the build printed them faster than they could be sent; "
                        + "they are in tasks/b/stdout, from which the scheduler reads them back",
                "a: log lines 3 to 4 were not sent as frames: the build printed them faster than they could be sent; "
                        + "they are in tasks/a/stdout, from which the scheduler reads them back"), notes);
    }

    private static List<byte[]> lines(String... lines) {
        List<byte[]> bytes = new ArrayList<>();
        for (String line : lines) {
            bytes.add(line.getBytes(StandardCharsets.UTF_8));
        }
        return bytes;
    }

    /** A channel whose sender counts down {@code taken} on each frame and sends nothing until {@code release}. */
    private LogChannel heldChannel(CountDownLatch taken, CountDownLatch release, long capacityBytes) {
        return new LogChannel(frame -> {
            taken.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            frames.add(LogFrame.fromBytes(frame));
        }, notes::add, capacityBytes);
    }
}

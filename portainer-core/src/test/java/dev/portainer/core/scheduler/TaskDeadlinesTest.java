package dev.portainer.core.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.portainer.core.scheduler.BuildRun.Phase;
import dev.portainer.core.scheduler.TaskDeadlines.Due;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class TaskDeadlinesTest {
    private static final Instant T0 = Instant.parse("2026-12-06T10:00:00Z");
    private final TaskDeadlines deadlines = new TaskDeadlines(Duration.ofMinutes(2), Duration.ofMinutes(30));

    @Test
    void theOfferTimeoutIsDueFromItsInstantWhileWaiting() {
        deadlines.waitForOffer(T0);

        assertEquals(T0.plusSeconds(120), deadlines.next(Phase.WAITING_FOR_OFFER));
        assertEquals(Due.NOTHING, deadlines.due(Phase.WAITING_FOR_OFFER, T0.plusSeconds(119)));
        assertEquals(Due.OFFER, deadlines.due(Phase.WAITING_FOR_OFFER, T0.plusSeconds(120)));
    }

    @Test
    void anotherTaskEndingRestartsTheWaitButNeverShortensIt() {
        deadlines.waitForOffer(T0);

        deadlines.anotherEnded(T0.plusSeconds(100));
        assertEquals(T0.plusSeconds(220), deadlines.next(Phase.WAITING_FOR_OFFER));
        deadlines.anotherEnded(T0.plusSeconds(50));
        assertEquals(T0.plusSeconds(220), deadlines.next(Phase.WAITING_FOR_OFFER));
    }

    @Test
    void aTaskEndingBeforeTheWaitBeganStartsIt() {
        // A run that fails as a whole before its tasks waited (the master unreachable) ends them one after another.
        deadlines.anotherEnded(T0);

        assertEquals(T0.plusSeconds(120), deadlines.next(Phase.WAITING_FOR_OFFER));
    }

    @Test
    void theBuildTimeoutRunsFromTheLaunchAndCountsOnlyWhileLaunched() {
        deadlines.waitForOffer(T0);
        deadlines.launched(T0.plusSeconds(10));

        assertEquals(T0.plusSeconds(10 + 1800), deadlines.next(Phase.LAUNCHED));
        assertEquals(Due.NOTHING, deadlines.due(Phase.LAUNCHED, T0.plusSeconds(1809)));
        assertEquals(Due.BUILD, deadlines.due(Phase.LAUNCHED, T0.plusSeconds(1810)));
        assertEquals(Due.NOTHING, deadlines.due(Phase.DRAINING, T0.plusSeconds(1810)), "ended: nothing is due");
        assertEquals(Due.NOTHING, deadlines.due(Phase.DONE, T0.plusSeconds(1810)));
    }

    @Test
    void withoutABuildTimeoutALaunchedTaskHasNoDeadline() {
        TaskDeadlines untimed = new TaskDeadlines(Duration.ofMinutes(2), null);
        untimed.waitForOffer(T0);
        untimed.launched(T0);

        assertNull(untimed.next(Phase.LAUNCHED));
        assertEquals(Due.NOTHING, untimed.due(Phase.LAUNCHED, T0.plus(Duration.ofDays(365))));
    }

    @Test
    void aRetryForgetsTheEarlierAttemptsBuildDeadline() {
        deadlines.waitForOffer(T0);
        deadlines.launched(T0);
        deadlines.waitForOffer(T0.plusSeconds(60));

        assertNull(deadlines.next(Phase.LAUNCHED));
        assertEquals(T0.plusSeconds(180), deadlines.next(Phase.WAITING_FOR_OFFER));
    }

    @Test
    void aKillIsGivenItsGraceAndKeepsItsReason() {
        BuildCancelledException reason = new BuildCancelledException("The build was cancelled");
        deadlines.waitForOffer(T0);
        deadlines.launched(T0);
        assertNull(deadlines.killReason());

        deadlines.killing(T0.plusSeconds(5), reason);

        assertSame(reason, deadlines.killReason());
        assertEquals(T0.plusSeconds(5).plus(TaskDeadlines.KILL_GRACE), deadlines.next(Phase.KILLING));
        assertEquals(Due.NOTHING, deadlines.due(Phase.KILLING, T0.plusSeconds(5).plus(TaskDeadlines.KILL_GRACE)
                .minusMillis(1)));
        assertEquals(Due.KILL, deadlines.due(Phase.KILLING, T0.plusSeconds(5).plus(TaskDeadlines.KILL_GRACE)));
    }

    @Test
    void theLoopWaitsUntilTheEarliestDeadlineBetweenAMillisecondAndASecond() {
        assertEquals(250, TaskDeadlines.millisToWait(T0, Arrays.asList(null, T0.plusMillis(700), T0.plusMillis(250))));
        assertEquals(1, TaskDeadlines.millisToWait(T0, List.of(T0.minusSeconds(3))), "overdue: yield, then act");
        assertEquals(1_000, TaskDeadlines.millisToWait(T0, List.of(T0.plusSeconds(60))));
        assertEquals(1_000, TaskDeadlines.millisToWait(T0, Arrays.asList(null, null)), "no deadline at all");
    }
}

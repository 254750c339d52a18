package dev.portainer.core.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portainer.core.mesos.MesosProtobuf;
import dev.portainer.wire.BuildSpec;
import dev.portainer.wire.TaskResult;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.mesos.v1.Protos.TaskID;
import org.apache.mesos.v1.Protos.TaskState;
import org.apache.mesos.v1.Protos.TaskStatus;
import org.apache.mesos.v1.Protos.TaskStatus.Reason;
import org.apache.mesos.v1.Protos.TaskStatus.Source;
import org.junit.jupiter.api.Test;

class TaskEndTest {
    static {
        MesosProtobuf.acceptPre22Gencode();
    }

    private static TaskStatus status(TaskState state, Reason reason) {
        TaskStatus.Builder status = TaskStatus.newBuilder().setTaskId(TaskID.newBuilder().setValue("t"))
                .setState(state);
        return reason == null ? status.build() : status.setReason(reason).build();
    }

    @Test
    void theClusterFailingTheTaskBeforeItRanIsRetriedWhateverTheReason() {
        for (TaskState state : new TaskState[] {TaskState.TASK_FAILED, TaskState.TASK_LOST, TaskState.TASK_DROPPED,
                TaskState.TASK_GONE, TaskState.TASK_GONE_BY_OPERATOR, TaskState.TASK_UNREACHABLE}) {
            assertEquals(true, TaskEnd.retryable(status(state, null), null, false, false), state.name());
        }
    }

    @Test
    void afterTaskRunningOnlyAnExecutorOrAgentReasonIsRetried() {
        assertEquals(true, TaskEnd.retryable(status(TaskState.TASK_FAILED, Reason.REASON_EXECUTOR_TERMINATED),
                null, true, false));
        assertEquals(true, TaskEnd.retryable(status(TaskState.TASK_LOST, Reason.REASON_AGENT_REMOVED), null,
                true, false));
        assertEquals(false, TaskEnd.retryable(status(TaskState.TASK_FAILED,
                Reason.REASON_CONTAINER_LIMITATION_MEMORY), null, true, false));
        assertEquals(false, TaskEnd.retryable(status(TaskState.TASK_FAILED, null), null, true, false));
    }

    @Test
    void aBuildThatSaidItWasAboutToPushIsNeverRetriedWhateverTheCluster() {
        // Its executor may have died after the push, or its final update may have been lost: a retry would push again.
        assertEquals(false, TaskEnd.retryable(status(TaskState.TASK_FAILED, Reason.REASON_EXECUTOR_TERMINATED),
                null, true, true));
        assertEquals(false, TaskEnd.retryable(status(TaskState.TASK_LOST, Reason.REASON_AGENT_REMOVED), null, true,
                true));
        assertEquals(false, TaskEnd.retryable(status(TaskState.TASK_FAILED, null), null, false, true));
    }

    @Test
    void invalidKilledOrReportedBuildsAreNeverRetried() {
        assertEquals(false, TaskEnd.retryable(status(TaskState.TASK_ERROR, Reason.REASON_TASK_INVALID), null,
                false, false));
        assertEquals(false, TaskEnd.retryable(status(TaskState.TASK_KILLED, null), null, false, false));
        assertEquals(false, TaskEnd.retryable(status(TaskState.TASK_FAILED, Reason.REASON_EXECUTOR_TERMINATED),
                TaskResult.failure("unknown instruction: FORM", null, 0), false, false));
    }

    private static final BuildTask TASK = new BuildTask("team/app", BuildSpec.of("127.0.0.1:5000/team/app",
            List.of("1.0", "latest"), "Dockerfile", "context.tar.gz", true, null), 1, 512,
            new ExecutorLaunch(List.of(), "java -jar portainer-executor.jar", 0.1, 128));
    private static final TaskResult BUILT = TaskResult.success("sha256:" + "a".repeat(64), null, List.of("1.0"), 7, 3);

    /** Counts its reads: the sandbox is read only to explain a task that failed without a result. */
    private final AtomicInteger reads = new AtomicInteger();
    private final TaskEnd.Explanation explanation = () -> {
        reads.incrementAndGet();
        return "Executor terminated";
    };

    private static TaskEnd.Facts ended(int number, TaskStatus status, TaskResult result, ClusterException killedFor,
                                       boolean reachedRunning, boolean pushing, String... earlier) {
        return new TaskEnd.Facts(TASK, number, "portainer-team-app-1", "agent-1", status, result, killedFor,
                reachedRunning, pushing, List.of(earlier));
    }

    private static TaskStatus lostAgent() {
        return status(TaskState.TASK_LOST, Reason.REASON_AGENT_REMOVED).toBuilder().setSource(Source.SOURCE_MASTER)
                .build();
    }

    @Test
    void aFinishedTaskWithItsResultIsBuiltEvenIfItWasBeingKilled() throws Exception {
        TaskEnd.Verdict plain = TaskEnd.decide(ended(1, status(TaskState.TASK_FINISHED, null), BUILT, null, true,
                true), 2, false, explanation);
        TaskEnd.Verdict killed = TaskEnd.decide(ended(1, status(TaskState.TASK_FINISHED, null), BUILT,
                new BuildCancelledException("The build was cancelled"), true, true), 2, false, explanation);

        assertSame(BUILT, assertInstanceOf(TaskEnd.Built.class, plain).result());
        assertSame(BUILT, assertInstanceOf(TaskEnd.Built.class, killed).result());
        assertEquals(0, reads.get());
    }

    @Test
    void aTaskThatDiedOfItsKillFailsWithWhyItWasKilled() throws Exception {
        BuildCancelledException why = new BuildCancelledException("The build of team/app did not finish in time");

        TaskEnd.Verdict verdict = TaskEnd.decide(ended(1, status(TaskState.TASK_KILLED, null), null, why, true,
                false), 2, false, explanation);

        assertSame(why, assertInstanceOf(TaskEnd.Failed.class, verdict).failure());
        assertEquals(0, reads.get());
    }

    @Test
    void aFailedBuildIsTheUsersToFixAndNeverRetried() throws Exception {
        TaskResult failed = TaskResult.failure("unknown instruction: FORM", null, 4);

        TaskEnd.Verdict verdict = TaskEnd.decide(ended(1, status(TaskState.TASK_FAILED,
                Reason.REASON_EXECUTOR_TERMINATED), failed, null, true, false), 2, false, explanation);

        BuildFailedException e = assertInstanceOf(BuildFailedException.class,
                assertInstanceOf(TaskEnd.Failed.class, verdict).failure());
        assertEquals("The build of team/app failed: unknown instruction: FORM", e.getMessage());
        assertEquals(0, reads.get());
    }

    @Test
    void aTaskFinishedWithoutAResultPointsAtTheExecutorsVersion() throws Exception {
        TaskEnd.Verdict verdict = TaskEnd.decide(ended(1, status(TaskState.TASK_FINISHED, null), null, null, true,
                false), 2, false, explanation);

        BuildException e = assertInstanceOf(TaskEnd.Failed.class, verdict).failure();
        assertEquals(ClusterException.class, e.getClass());
        assertEquals("The build task portainer-team-app-1 finished without reporting a result; is the executor the "
                + "same Portainer version as the plugin?", e.getMessage());
    }

    @Test
    void theClusterFailingAnAttemptWithRetriesLeftRunsItAgainSayingWhatHappened() throws Exception {
        TaskEnd.Verdict verdict = TaskEnd.decide(ended(2, lostAgent(), null, null, true, false,
                "attempt 1 on agent-0: TASK_LOST"), 2, false, explanation);

        TaskFailedException why = assertInstanceOf(TaskEnd.Retry.class, verdict).failure();
        assertEquals("TASK_LOST (REASON_AGENT_REMOVED) from SOURCE_MASTER: Executor terminated", why.summary());
        assertEquals(List.of("attempt 1 on agent-0: TASK_LOST"), why.earlierAttempts());
        assertEquals(1, reads.get());
    }

    @Test
    void theLastAttemptFailingSaysTheRetriesAreUsedUp() throws Exception {
        TaskEnd.Verdict verdict = TaskEnd.decide(ended(3, lostAgent(), null, null, true, false,
                "attempt 1 on agent-0: TASK_LOST", "attempt 2 on agent-2: TASK_LOST"), 2, false, explanation);

        TaskFailedException e = assertInstanceOf(TaskFailedException.class,
                assertInstanceOf(TaskEnd.Failed.class, verdict).failure());
        assertTrue(e.getMessage().contains("(attempt 3 of 3, retries used up; earlier: attempt 1 on agent-0: "
                + "TASK_LOST; attempt 2 on agent-2: TASK_LOST)"), e.getMessage());
    }

    @Test
    void withoutRetriesTheClustersFailureIsTheTasksAsItIs() throws Exception {
        TaskEnd.Verdict verdict = TaskEnd.decide(ended(1, lostAgent(), null, null, true, false), 0, false,
                explanation);

        TaskFailedException e = assertInstanceOf(TaskFailedException.class,
                assertInstanceOf(TaskEnd.Failed.class, verdict).failure());
        assertEquals("The cluster failed to run the build of team/app on agent-1: TASK_LOST (REASON_AGENT_REMOVED) "
                + "from SOURCE_MASTER: Executor terminated", e.getMessage());
    }

    @Test
    void nothingIsRetriedWhileTheRunFailsFast() throws Exception {
        TaskEnd.Verdict verdict = TaskEnd.decide(ended(1, lostAgent(), null, null, true, false), 2, true,
                explanation);

        TaskFailedException e = assertInstanceOf(TaskFailedException.class,
                assertInstanceOf(TaskEnd.Failed.class, verdict).failure());
        assertFalse(e.getMessage().contains("retries used up"), e.getMessage());
    }

    @Test
    void aBuildThatHadStartedPushingFailsSayingWhyItIsNotRunAgain() throws Exception {
        TaskEnd.Verdict verdict = TaskEnd.decide(ended(1, lostAgent(), null, null, true, true), 2, false,
                explanation);

        TaskFailedException e = assertInstanceOf(TaskFailedException.class,
                assertInstanceOf(TaskEnd.Failed.class, verdict).failure());
        assertTrue(e.getMessage().endsWith("The executor had started pushing 127.0.0.1:5000/team/app, so the build is "
                + "not run again (a second build could push a different image under the same tags); check what the "
                + "registry holds for its tags [1.0, latest], then build again"), e.getMessage());
    }
}

package dev.portainer.core.scheduler;

import static dev.portainer.core.scheduler.FakeMesosMaster.offer;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.portainer.wire.BuildSpec;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class OfferTimeoutMessagesTest {
    private static final ExecutorLaunch EXECUTOR = new ExecutorLaunch(List.of(), "java -jar portainer-executor.jar",
            0.1, 128);
    private static final BuildTask BUILD = new BuildTask("team/app", BuildSpec.of("127.0.0.1:5000/team/app",
            List.of("1.0"), "Dockerfile", "context.tar.gz", true, null), 1, 512, EXECUTOR);
    private static final BuildTask PUSH = new BuildTask("team/app", BuildSpec.pushOf("127.0.0.1:5000/team/app",
            List.of("1.0"), "sha256:" + "a".repeat(64), null), 0.5, 64, EXECUTOR).onAgent("agent-S1");

    private final OfferStatistics offered = new OfferStatistics();
    private final OfferTimeoutMessages messages = new OfferTimeoutMessages(Duration.ofMinutes(5), "*", List.of());

    @Test
    void needsSplitsTheTotalIntoTheTasksShareAndTheExecutors() {
        assertEquals("1.1 cpus and 640 MB of memory (build 1 cpus/512 MB + executor 0.1 cpus/128 MB)",
                OfferTimeoutMessages.needs(BUILD));
        assertEquals("0.6 cpus and 192 MB of memory (push 0.5 cpus/64 MB + executor 0.1 cpus/128 MB)",
                OfferTimeoutMessages.needs(PUSH));
    }

    @Test
    void noOfferAtAllSaysWhatTheBuildNeedsAndWhatToCheck() {
        assertEquals("No Mesos offer could fit the build of team/app within 5 min: it needs 1.1 cpus and 640 MB of "
                + "memory (build 1 cpus/512 MB + executor 0.1 cpus/128 MB) for role '*'; no offer arrived at all (are "
                + "agents registered, and does role '*' get resources? Another framework may hold them all). Lower the "
                + "build's cpus/memory, relax the constraints, free resources on the cluster or raise the offer "
                + "timeout", messages.noOfferFits(BUILD, List.of(), offered));
    }

    @Test
    void offersTooSmallCompareTheLargestWithWhatTheBuildNeeds() {
        offered.offered(offer("O1", "S0", 0.5, 23081), "*", null);
        offered.offered(offer("O2", "S1", 4, 256), "*", null);

        assertEquals("No Mesos offer could fit the build of team/app within 5 min: it needs 1.1 cpus and 640 MB of "
                + "memory (build 1 cpus/512 MB + executor 0.1 cpus/128 MB) for role '*'; 2 offers from 2 agents "
                + "arrived (roles offered: *); the largest had 4 cpus and 23081 MB for role '*'. Lower the build's "
                + "cpus/memory, relax the constraints, free resources on the cluster or raise the offer timeout",
                messages.noOfferFits(BUILD, List.of(), offered));
    }

    @Test
    void constraintsRoleAndEarlierFailedAttemptsAreNamed() {
        OfferTimeoutMessages constrained = new OfferTimeoutMessages(Duration.ofSeconds(90), "builds",
                List.of(AgentConstraint.parse("rack:a"), AgentConstraint.parse("docker:true")));
        offered.offered(offer("O1", "S0", "builds", 8, 16384), "builds", AgentConstraint.parse("rack:a"));

        assertEquals("No Mesos offer could fit the build of team/app within 90 s: it needs 1.1 cpus and 640 MB of "
                + "memory (build 1 cpus/512 MB + executor 0.1 cpus/128 MB) on an agent with rack:a and docker:true for "
                + "role 'builds'; retrying after attempt 1 on agent-S2: the agent was lost; 1 offer from 1 agent "
                + "arrived (roles offered: builds); skipped by constraints: agent-S0 (no rack, wanted rack:a). Lower "
                + "the build's cpus/memory, relax the constraints, free resources on the cluster or raise the offer "
                + "timeout",
                constrained.noOfferFits(BUILD, List.of("attempt 1 on agent-S2: the agent was lost"), offered));
    }

    @Test
    void aPushBoundToAnAgentThatNeverOfferedNamesTheAgentsThatDid() {
        offered.offered(offer("O1", "S0", 8, 32000), "*", null);

        assertEquals("No Mesos offer from agent agent-S1 could fit team/app within 5 min: it needs 0.6 cpus and 192 "
                + "MB of memory (push 0.5 cpus/64 MB + executor 0.1 cpus/128 MB) on that agent, which built the image "
                + "and has it in its Docker daemon (no other agent has it); offers came from agent-S0 only (is the "
                + "agent gone, or does role '*' get nothing of it?). Build the image again, then push it, or free "
                + "resources on that agent or raise the offer timeout if it is only busy",
                messages.noOfferFits(PUSH, List.of(), offered));
    }

    @Test
    void aPushBoundToAnAgentWhoseOffersWereTooSmallSaysSoAndWhyItIsRetrying() {
        offered.offered(offer("O1", "S1", 0.2, 64), "*", null);

        assertEquals("No Mesos offer from agent agent-S1 could fit team/app within 5 min: it needs 0.6 cpus and 192 "
                + "MB of memory (push 0.5 cpus/64 MB + executor 0.1 cpus/128 MB) on that agent, which built the image "
                + "and has it in its Docker daemon (no other agent has it); its offers did not have enough for role "
                + "'*'; retrying after attempt 1 on agent-S1: the executor exited. Build the image again, then push "
                + "it, or free resources on that agent or raise the offer timeout if it is only busy",
                messages.noOfferFits(PUSH, List.of("attempt 1 on agent-S1: the executor exited"), offered));
    }
}

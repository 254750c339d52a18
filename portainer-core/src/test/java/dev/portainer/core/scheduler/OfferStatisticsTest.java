package dev.portainer.core.scheduler;

import static dev.portainer.core.scheduler.FakeMesosMaster.offer;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class OfferStatisticsTest {
    private final OfferStatistics statistics = new OfferStatistics();

    @Test
    void nothingOfferedSaysWhatToCheck() {
        assertEquals("no offer arrived at all (are agents registered, and does role 'builds' get resources? Another "
                + "framework may hold them all)", statistics.whatArrived("builds"));
        assertEquals("no offer arrived at all (is the agent gone, or does role 'builds' get nothing of it?)",
                statistics.whyNothingFrom("agent-S0", "builds"));
    }

    @Test
    void countsOffersAgentsAndRolesAndTheLargestThatMetTheConstraints() {
        AgentConstraint rack = AgentConstraint.parse("rack:a");
        statistics.offered(offer("O1", "S0", 2, 1024), "*", null);
        statistics.offered(offer("O2", "S0", 1.5, 3000), "*", null);
        statistics.offered(offer("O3", "S1", 8, 16384), "*", rack);

        assertEquals("3 offers from 2 agents arrived (roles offered: *); the largest had 2 cpus and 3000 MB for role "
                + "'*'; skipped by constraints: agent-S1 (no rack, wanted rack:a)", statistics.whatArrived("*"));
        assertEquals("it does not meet the constraints (no rack, wanted rack:a)",
                statistics.whyNothingFrom("agent-S1", "*"));
        assertEquals("its offers did not have enough for role '*'", statistics.whyNothingFrom("agent-S0", "*"));
        assertEquals("offers came from agent-S0, agent-S1 only (is the agent gone, or does role '*' get nothing of "
                + "it?)", statistics.whyNothingFrom("agent-S9", "*"));
    }

    @Test
    void everyAgentSkippedGivesNoLargest() {
        statistics.offered(offer("O1", "S0", 2, 1024), "*", AgentConstraint.parse("docker:true"));

        assertEquals("1 offer from 1 agent arrived (roles offered: *); skipped by constraints: agent-S0 (no docker, "
                + "wanted docker:true)", statistics.whatArrived("*"));
    }
}

package dev.portainer.core.scheduler;

import java.time.Duration;
import java.util.List;

/**
 * What a user reads when no offer fit a task within the offer timeout: what the task needs, what the cluster offered
 * instead, and what to change. A task bound to one agent (a push of an image built there) gets its own message, as
 * no other agent can stand in for that one.
 */
final class OfferTimeoutMessages {
    private final Duration offerTimeout;
    private final String role;
    private final List<AgentConstraint> constraints;

    OfferTimeoutMessages(Duration offerTimeout, String role, List<AgentConstraint> constraints) {
        this.offerTimeout = offerTimeout;
        this.role = role;
        this.constraints = List.copyOf(constraints);
    }

    /**
     * Why {@code task} found no offer: what it needs against what {@code offered} saw; {@code failedAttempts} says
     * why earlier attempts failed, when the task was waiting to be retried.
     */
    String noOfferFits(BuildTask task, List<String> failedAttempts, OfferStatistics offered) {
        if (task.agent() != null) {
            return noOfferFromBoundAgent(task, failedAttempts, offered);
        }
        StringBuilder m = new StringBuilder("No Mesos offer could fit the build of ").append(task.name())
                .append(" within ").append(BuildRun.human(offerTimeout)).append(": it needs ").append(needs(task));
        if (!constraints.isEmpty()) {
            m.append(" on an agent with ").append(constraints.stream().map(AgentConstraint::toString)
                    .reduce((a, b) -> a + " and " + b).orElse(""));
        }
        m.append(" for role '").append(role).append("'; ");
        if (!failedAttempts.isEmpty()) {
            m.append("retrying after ").append(String.join("; ", failedAttempts)).append("; ");
        }
        m.append(offered.whatArrived(role));
        return m.append(". Lower the build's cpus/memory, relax the constraints, free resources on the cluster or "
                + "raise the offer timeout").toString();
    }

    /**
     * A task bound to one agent found no offer from it: the agent is gone, busy, or not a fit, and no other agent
     * can stand in (the image is in that agent's Docker daemon only).
     */
    private String noOfferFromBoundAgent(BuildTask task, List<String> failedAttempts, OfferStatistics offered) {
        String agent = task.agent();
        StringBuilder m = new StringBuilder("No Mesos offer from agent ").append(agent).append(" could fit ")
                .append(task.name()).append(" within ").append(BuildRun.human(offerTimeout)).append(": it needs ")
                .append(needs(task)).append(" on that agent, which built the image and has it in its Docker daemon"
                        + " (no other agent has it); ");
        m.append(offered.whyNothingFrom(agent, role));
        if (!failedAttempts.isEmpty()) {
            m.append("; retrying after ").append(String.join("; ", failedAttempts));
        }
        return m.append(". Build the image again, then push it, or free resources on that agent or raise the offer"
                + " timeout if it is only busy").toString();
    }

    /**
     * What {@code task} asks of an offer, in total and split into the task's and its executor's share, e.g.
     * {@code 1.1 cpus and 640 MB of memory (build 1 cpus/512 MB + executor 0.1 cpus/128 MB)}.
     */
    static String needs(BuildTask task) {
        return num(task.totalCpus()) + " cpus and " + num(task.totalMemMb()) + " MB of memory ("
                + (task.spec().pushOnly() ? "push " : "build ")
                + num(task.cpus()) + " cpus/" + num(task.memMb()) + " MB + executor " + num(task.executor().cpus())
                + " cpus/" + num(task.executor().memMb()) + " MB)";
    }

    private static String num(double value) {
        return BuildRun.num(value);
    }
}

package dev.portainer.core.scheduler;

import dev.portainer.wire.TaskResult;
import java.util.List;

/**
 * A successful build on Mesos: where the attempt that built the image ran, what its executor reported, and how its
 * log arrived.
 *
 * @param frameworkId      the framework this run registered as (already torn down)
 * @param taskId           the Mesos task that built the image
 * @param agentId          the agent it ran on
 * @param agentHostname    that agent's host name
 * @param agentUrl         the agent's HTTP base URL as the offer told it (for {@code /files/read}), or null
 * @param result           the executor's report: image id, digest, tags, size
 * @param logLinesReceived how many log lines arrived
 * @param missingLogSeqs   sequence numbers of log lines lost in transit, ascending
 */
public record BuildOutcome(String frameworkId, String taskId, String agentId, String agentHostname, String agentUrl,
                           TaskResult result, long logLinesReceived, List<Long> missingLogSeqs) {
    public BuildOutcome {
        missingLogSeqs = List.copyOf(missingLogSeqs);
    }
}

package dev.portainer.core.build;

import java.time.Duration;

/**
 * How a build registers as a Mesos framework.
 *
 * @param name            the framework name shown in the Mesos UI
 * @param user            the user the executor runs as on the agent
 * @param role            the role whose resources the build may use
 * @param failoverTimeout how long the master keeps the framework's tasks while the scheduler reconnects, and so how
 *                        long builds go on once Maven is gone (default {@code SchedulerConfig.DEFAULT_FAILOVER_TIMEOUT})
 */
public record FrameworkSettings(String name, String user, String role, Duration failoverTimeout) {
}

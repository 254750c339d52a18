package dev.portainer.local;

import org.apache.mesos.v1.Protos;

import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.ScheduledExecutorService;

/**
 * What the master and the agent of the single node share: identities, addresses, the configuration and the
 * event loop that owns all their state (every method of {@code Master} and {@code Agent} runs on it).
 */
public record NodeContext(
        String masterId,
        String hostname,
        int masterPort,
        int agentPort,
        Path workDir,
        LocalMesosConfig config,
        ScheduledExecutorService loop,
        Clock clock) {

    public static final String VERSION = "1.11.0";

    public String agentId() {
        return masterId + "-S0";
    }

    public Protos.AgentID agentIdProto() {
        return Protos.AgentID.newBuilder().setValue(agentId()).build();
    }

    public String agentPid() {
        return "slave(1)@" + hostname + ":" + agentPort;
    }

    public String masterPid() {
        return "master@" + hostname + ":" + masterPort;
    }

    /** Seconds since the epoch, as Mesos stamps status updates. */
    public double now() {
        return clock.millis() / 1000.0;
    }

    /** Mesos's text form of a duration, as in MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD=5secs. */
    public static String mesosDuration(java.time.Duration duration) {
        long nanos = duration.toNanos();
        if (nanos % 60_000_000_000L == 0 && nanos >= 60_000_000_000L) {
            return nanos / 60_000_000_000L + "mins";
        }
        if (nanos % 1_000_000_000L == 0) {
            return nanos / 1_000_000_000L + "secs";
        }
        if (nanos % 1_000_000L == 0) {
            return nanos / 1_000_000L + "ms";
        }
        return nanos + "ns";
    }
}

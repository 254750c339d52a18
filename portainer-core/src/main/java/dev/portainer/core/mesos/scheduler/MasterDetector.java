package dev.portainer.core.mesos.scheduler;

import dev.portainer.core.scheduler.ClusterException;

/**
 * Finds the leading Mesos master: asked before the first SUBSCRIBE and again whenever the connection to the leader
 * is lost, so that a build follows a master failover.
 */
public interface MasterDetector extends AutoCloseable {
    /** The leading master now; blocks at most for the detector's own timeout. */
    MesosMaster leader() throws ClusterException, InterruptedException;

    /** What the user configured, for messages. */
    String address();

    @Override
    default void close() {
    }

    /** A single master address (which redirects to the leader itself if it is not). */
    static MasterDetector fixed(MesosMaster master) {
        return new MasterDetector() {
            @Override
            public MesosMaster leader() {
                return master;
            }

            @Override
            public String address() {
                return master.address();
            }
        };
    }
}

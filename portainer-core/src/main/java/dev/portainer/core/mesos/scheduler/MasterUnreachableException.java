package dev.portainer.core.mesos.scheduler;

import dev.portainer.core.scheduler.ClusterException;

import dev.portainer.core.config.Message;
import dev.portainer.core.config.Setting;

/** No connection could be made to the configured Mesos master at the first SUBSCRIBE. */
public final class MasterUnreachableException extends ClusterException {
    private final String master;

    public MasterUnreachableException(MesosMaster master, String endpoint, Throwable cause) {
        super(Message.of("Cannot reach the Mesos master '", master.address(), "' at ", endpoint, " (",
                describe(cause), "): check ", Setting.MESOS_MASTER, ", or use local"), cause);
        this.master = master.address();
    }

    /** Neither the master nor the way to find it (ZooKeeper) answered; the message says which and what to do. */
    public MasterUnreachableException(String address, String message) {
        super(message);
        this.master = address;
    }

    /** The master address as configured. */
    public String master() {
        return master;
    }

    private static String describe(Throwable cause) {
        Throwable t = cause;
        while (t.getMessage() == null && t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getClass().getSimpleName() + ": " + t.getMessage();
    }
}

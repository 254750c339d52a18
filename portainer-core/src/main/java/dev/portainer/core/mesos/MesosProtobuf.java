package dev.portainer.core.mesos;

/**
 * Setup for Mesos 1.11's generated protobuf classes. They predate protobuf 3.22, so protobuf-java (≥ 3.25.6) logs a
 * "vulnerable generated type" warning for every message type on first use — dozens of lines in the middle of a Maven
 * build. The advisory is about parsing hostile input; we parse only what our own master and executor send, and no
 * newer Mesos classes exist, so the warning can only alarm users. It must be set before the first message is built.
 */
public final class MesosProtobuf {
    static final String PROPERTY = "com.google.protobuf.use_unsafe_pre22_gencode";

    private MesosProtobuf() {
    }

    /** Silences the warning unless the user has decided otherwise (set the property to keep control of it). */
    public static void acceptPre22Gencode() {
        if (System.getProperty(PROPERTY) == null) {
            System.setProperty(PROPERTY, "true");
        }
    }
}

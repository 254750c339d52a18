package dev.portainer.wire.mesos;

/** The content types and headers of Mesos's v1 HTTP APIs. */
public final class MesosMediaTypes {
    public static final String PROTOBUF = "application/x-protobuf";
    public static final String JSON = "application/json";
    public static final String RECORDIO = "application/recordio";
    /** Sent with a streaming call to say which type the records inside RecordIO carry (Mesos 1.2+). */
    public static final String MESSAGE_ACCEPT = "Message-Accept";
    public static final String MESSAGE_CONTENT_TYPE = "Message-Content-Type";
    public static final String STREAM_ID = "Mesos-Stream-Id";

    private MesosMediaTypes() {
    }
}

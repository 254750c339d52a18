package dev.portainer.core.wire;

import java.util.List;

/**
 * The outcome of a build, sent in the terminal status update's {@code data} (the reliable channel).
 *
 * @param v         wire version
 * @param imageId   the built image's id ({@code sha256:…}), null if the build failed before producing one
 * @param digest    the pushed manifest digest ({@code sha256:…}), null when not pushed
 * @param tags      the tags applied (and pushed, when pushing)
 * @param sizeBytes the image's size, or -1 if unknown
 * @param error     Docker's own error text when the task failed, else null
 * @param logLines  how many log frames the executor sent, so that the scheduler knows whether any are missing
 */
public record TaskResult(int v, String imageId, String digest, List<String> tags, long sizeBytes, String error,
                         long logLines) {
    public TaskResult {
        tags = tags == null ? List.of() : List.copyOf(tags);
    }

    public static TaskResult success(String imageId, String digest, List<String> tags, long sizeBytes, long logLines) {
        return new TaskResult(WireFormat.VERSION, imageId, digest, tags, sizeBytes, null, logLines);
    }

    public static TaskResult failure(String error, String imageId, long logLines) {
        return new TaskResult(WireFormat.VERSION, imageId, null, List.of(), -1, error, logLines);
    }

    public boolean failed() {
        return error != null;
    }

    public byte[] toBytes() {
        return WireFormat.encode(this);
    }

    public static TaskResult fromBytes(byte[] bytes) {
        return WireFormat.decode(bytes, TaskResult.class, "build result");
    }
}

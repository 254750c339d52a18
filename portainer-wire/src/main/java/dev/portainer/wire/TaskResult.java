package dev.portainer.wire;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The outcome of a build, sent in the terminal status update's {@code data} (the reliable channel).
 *
 * @param v         wire version
 * @param imageId   the built image's id ({@code sha256:…}), null if the build failed before producing one
 * @param digest    the pushed manifest digest ({@code sha256:…}), null when not pushed
 * @param tags      the tags applied (and pushed, when pushing)
 * @param sizeBytes the image's size, or -1 if unknown
 * @param error     Docker's own error text when the task failed, else null
 * @param logLines  how many log lines the executor printed (and numbered), so that the scheduler knows whether any
 *                  are missing
 * @param digests   the digest each tag's push reported, by tag, in push order; empty when not pushed. Optional on
 *                  the wire (an older executor omits it), so adding it kept wire version 1
 * @param stage     where a failed task failed ({@link Stage}), so that no one reads it from the error's English; null
 *                  on success, and from an executor that did not say (optional on the wire, like {@code digests})
 */
public record TaskResult(int v, String imageId, String digest, List<String> tags, long sizeBytes, String error,
                         long logLines, Map<String, String> digests, Stage stage) {
    /** The step of the task that failed: building the image, or pushing one built already. */
    public enum Stage {
        BUILD, PUSH;

        String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        static Stage fromWire(String name) {
            for (Stage s : values()) {
                if (s.wireName().equals(name)) {
                    return s;
                }
            }
            return null; // a stage of a newer executor: unknown here, as if not said
        }
    }

    public TaskResult {
        tags = tags == null ? List.of() : List.copyOf(tags);
        // Map.copyOf would lose the push order, which the result files keep.
        digests = digests == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(digests));
    }

    /** The result as wire version 1 had it before per-tag digests. */
    public TaskResult(int v, String imageId, String digest, List<String> tags, long sizeBytes, String error,
                      long logLines) {
        this(v, imageId, digest, tags, sizeBytes, error, logLines, null, null);
    }

    /** The result as wire version 1 had it before the failed stage. */
    public TaskResult(int v, String imageId, String digest, List<String> tags, long sizeBytes, String error,
                      long logLines, Map<String, String> digests) {
        this(v, imageId, digest, tags, sizeBytes, error, logLines, digests, null);
    }

    public static TaskResult success(String imageId, String digest, List<String> tags, long sizeBytes, long logLines) {
        return new TaskResult(WireFormat.VERSION, imageId, digest, tags, sizeBytes, null, logLines, null, null);
    }

    /** A success that pushed: {@code digests} by tag, in push order; the first is the result's {@code digest}. */
    public static TaskResult pushed(String imageId, Map<String, String> digests, List<String> tags, long sizeBytes,
                                    long logLines) {
        String first = digests.isEmpty() ? null : digests.values().iterator().next();
        return new TaskResult(WireFormat.VERSION, imageId, first, tags, sizeBytes, null, logLines, digests, null);
    }

    /** A failure of a stage the executor cannot name (it failed before building, or was killed). */
    public static TaskResult failure(String error, String imageId, long logLines) {
        return failure(error, imageId, logLines, null);
    }

    /** A failure in {@code stage}: building, or pushing the image {@code imageId} built. */
    public static TaskResult failure(String error, String imageId, long logLines, Stage stage) {
        return new TaskResult(WireFormat.VERSION, imageId, null, List.of(), -1, error, logLines, null, stage);
    }

    public boolean failed() {
        return error != null;
    }

    public byte[] toBytes() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("v", v);
        json.put("imageId", imageId);
        json.put("digest", digest);
        json.put("tags", tags);
        json.put("sizeBytes", sizeBytes);
        json.put("error", error);
        json.put("logLines", logLines);
        json.put("digests", digests);
        if (stage != null) {
            json.put("stage", stage.wireName());
        }
        return WireFormat.encode(json);
    }

    public static TaskResult fromBytes(byte[] bytes) {
        // Version 1 had the same fields: an older executor's refusal of a newer task is still read, and shown.
        return WireFormat.decode(bytes, "build result", 1, json -> new TaskResult((int) json.number("v", -1),
                json.string("imageId"), json.string("digest"), json.strings("tags"), json.number("sizeBytes", 0),
                json.string("error"), json.number("logLines", 0), json.stringMap("digests"),
                Stage.fromWire(json.string("stage"))));
    }
}

package dev.portainer.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TaskResultTest {
    private static final String A = "sha256:" + "a".repeat(64);
    private static final String B = "sha256:" + "b".repeat(64);
    private static final String C = "sha256:" + "c".repeat(64);

    @Test
    void carriesEveryTagsDigestInPushOrderAndTheFirstAsDigest() {
        Map<String, String> digests = new LinkedHashMap<>();
        digests.put("latest", B);
        digests.put("1.0", C);
        TaskResult sent = TaskResult.pushed(A, digests, List.of("r/app:latest", "r/app:1.0"), 42, 7);

        TaskResult read = TaskResult.fromBytes(sent.toBytes());

        assertEquals(List.of("latest", "1.0"), List.copyOf(read.digests().keySet()));
        assertEquals(C, read.digests().get("1.0"));
        assertEquals(B, read.digest());
        assertEquals(sent, read);
    }

    @Test
    void readsAResultOfAnExecutorThatSentNoPerTagDigests() {
        String older = "{\"v\":1,\"imageId\":\"" + A + "\",\"digest\":\"" + B + "\",\"tags\":[\"r/app:1.0\"],"
                + "\"sizeBytes\":5,\"error\":null,\"logLines\":3}";

        TaskResult read = TaskResult.fromBytes(older.getBytes(StandardCharsets.UTF_8));

        assertEquals(B, read.digest());
        assertTrue(read.digests().isEmpty());
        assertEquals(3, read.logLines());
    }

    @Test
    void aFailureSaysInWhichStageAndAnOlderOrNewerStageReadsAsNotSaid() {
        TaskResult push = TaskResult.fromBytes(TaskResult.failure("denied", A, 2, TaskResult.Stage.PUSH).toBytes());
        assertEquals(TaskResult.Stage.PUSH, push.stage());
        assertEquals(A, push.imageId());
        assertEquals(TaskResult.Stage.BUILD, TaskResult.fromBytes(TaskResult.failure("exit 3", null, 2,
                TaskResult.Stage.BUILD).toBytes()).stage());

        String older = "{\"v\":1,\"imageId\":null,\"digest\":null,\"tags\":[],\"sizeBytes\":-1,"
                + "\"error\":\"Pushing r/app:1.0 failed: denied\",\"logLines\":3}";
        assertNull(TaskResult.fromBytes(older.getBytes(StandardCharsets.UTF_8)).stage(), "not said: never guessed");
        String newer = older.replace("\"logLines\":3", "\"logLines\":3,\"stage\":\"sign\"");
        assertNull(TaskResult.fromBytes(newer.getBytes(StandardCharsets.UTF_8)).stage());
        assertTrue(new String(TaskResult.success(A, null, List.of(), 1, 1).toBytes(), StandardCharsets.UTF_8)
                .indexOf("stage") < 0, "a success carries no stage");
    }

    @Test
    void aFailureHasNoDigests() {
        TaskResult read = TaskResult.fromBytes(TaskResult.failure("boom", null, 2).toBytes());
        assertTrue(read.failed());
        assertTrue(read.digests().isEmpty());
    }
}

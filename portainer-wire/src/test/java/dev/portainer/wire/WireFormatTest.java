package dev.portainer.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class WireFormatTest {
    private static byte[] utf8(String json) {
        return json.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aFrameCarriesARunOfLinesNumberedFromItsFirst() {
        List<String> lines = List.of("Step 2/2 : RUN seq 1 3", "1", "", "\u001b[91merr \"quoted\" é\u001b[0m", "3");
        LogFrame frame = LogFrame.of(41, lines);

        LogFrame read = LogFrame.fromBytes(frame.toBytes());

        assertEquals(frame, read);
        assertEquals(41, read.seq());
        assertEquals(46, read.end(), "the next frame starts at the line after its last");
        assertEquals(lines, read.lines(), "blank lines and escapes kept, in order");
        assertEquals("{\"v\":3,\"seq\":41,\"lines\":[\"a\",\"b\"]}",
                new String(LogFrame.of(41, List.of("a", "b")).toBytes(), StandardCharsets.UTF_8));
    }

    @Test
    void runsEncodedAheadMakeTheFrameTheLinesMake() {
        List<String> first = List.of("Step 2/2 : RUN seq 1 3", "", "tab\tquote\"back\\slash");
        List<String> second = List.of("\u001b[91mGröße ☃\u001b[0m");
        List<String> all = new java.util.ArrayList<>(first);
        all.addAll(second);

        byte[] frame = LogFrame.toBytes(7, List.of(LogFrame.encodeRun(first), LogFrame.encodeRun(second)));

        assertEquals(LogFrame.of(7, all), LogFrame.fromBytes(frame));
        assertEquals(new String(LogFrame.of(7, all).toBytes(), StandardCharsets.UTF_8),
                new String(frame, StandardCharsets.UTF_8), "byte for byte the frame toBytes() writes");
        assertThrows(IllegalArgumentException.class, () -> LogFrame.toBytes(0, List.of()));
        List<byte[]> utf8 = all.stream().map(l -> l.getBytes(StandardCharsets.UTF_8)).toList();
        assertEquals(new String(LogFrame.toBytes(7, List.of(LogFrame.encodeRun(all))), StandardCharsets.UTF_8),
                new String(LogFrame.toBytes(7, List.of(LogFrame.encodeUtf8Run(utf8))), StandardCharsets.UTF_8),
                "from the bytes the executor printed, the same");
    }

    @Test
    void aFrameSaysWhichOfItsLinesAreProgressAndOnlyWhenSomeAre() {
        List<String> lines = List.of("The push refers to repository [r/app]", "abc: Pushing",
                "Pushing 1 layer: 40% (4.0/10.0 MB)", "1.0: digest: sha256:0 size: 528");
        List<LogFrame.Kind> kinds = List.of(LogFrame.Kind.OUTPUT, LogFrame.Kind.PROGRESS, LogFrame.Kind.PROGRESS,
                LogFrame.Kind.OUTPUT);
        LogFrame frame = LogFrame.of(9, lines, kinds);

        LogFrame read = LogFrame.fromBytes(frame.toBytes());

        assertEquals(frame, read);
        assertEquals(kinds, read.kinds());
        assertTrue(new String(frame.toBytes(), StandardCharsets.UTF_8).endsWith("],\"progress\":[1,2]}"),
                new String(frame.toBytes(), StandardCharsets.UTF_8));
        assertEquals(new String(frame.toBytes(), StandardCharsets.UTF_8), new String(LogFrame.toBytes(9,
                List.of(LogFrame.encodeRun(lines.subList(0, 2)), LogFrame.encodeRun(lines.subList(2, 4))),
                List.of(1, 2)), StandardCharsets.UTF_8), "runs encoded ahead give the same frame");
        assertEquals(List.of(LogFrame.Kind.OUTPUT, LogFrame.Kind.OUTPUT),
                LogFrame.fromBytes(LogFrame.of(0, List.of("a", "b")).toBytes()).kinds());
    }

    @Test
    void aFrameWithoutProgressIsReadAsOutputAndItsProgressFieldCannotPointOutside() {
        // What an executor that knew no kinds sent, and what one that knows them sends when no line is progress.
        LogFrame old = LogFrame.fromBytes(utf8("{\"v\":3,\"seq\":5,\"lines\":[\"a\",\"b\"]}"));
        assertEquals(List.of(LogFrame.Kind.OUTPUT, LogFrame.Kind.OUTPUT), old.kinds());
        assertEquals(LogFrame.of(5, List.of("a", "b")), old);
        assertEquals("{\"v\":3,\"seq\":5,\"lines\":[\"a\",\"b\"]}", new String(LogFrame.toBytes(5,
                List.of(LogFrame.encodeRun(List.of("a", "b"))), List.of()), StandardCharsets.UTF_8));

        WireFormatException outside = assertThrows(WireFormatException.class, () -> LogFrame.fromBytes(
                utf8("{\"v\":3,\"seq\":5,\"lines\":[\"a\"],\"progress\":[1]}")));
        assertEquals("Cannot read the log message: 'progress' names line 1 of a frame of 1", outside.getMessage());
        WireFormatException notNumbers = assertThrows(WireFormatException.class, () -> LogFrame.fromBytes(
                utf8("{\"v\":3,\"seq\":5,\"lines\":[\"a\"],\"progress\":[\"0\"]}")));
        assertEquals("Cannot read the log message: 'progress' is not a list of integers", notNumbers.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> LogFrame.of(0, List.of("a", "b"), List.of(LogFrame.Kind.PROGRESS)));
    }

    @Test
    void stdoutMarksAProgressLineWithATrailingCarriageReturnAndReadsItsKindBack() {
        String line = ExecutorStdout.stdoutLine("Pushing 1 layer: 40% (4.0/10.0 MB)", LogFrame.Kind.PROGRESS);

        assertEquals("Pushing 1 layer: 40% (4.0/10.0 MB)\r", line);
        assertEquals(LogFrame.Kind.PROGRESS, ExecutorStdout.kindOf(line));
        assertEquals("Pushing 1 layer: 40% (4.0/10.0 MB)", ExecutorStdout.textOf(line));
        assertEquals("Step 1/2 : FROM x", ExecutorStdout.stdoutLine("Step 1/2 : FROM x", LogFrame.Kind.OUTPUT));
        assertEquals(LogFrame.Kind.OUTPUT, ExecutorStdout.kindOf("Step 1/2 : FROM x"));
        assertEquals(LogFrame.Kind.OUTPUT, ExecutorStdout.kindOf(""));
        assertEquals("", ExecutorStdout.textOf(""));
        assertEquals("a\rb", ExecutorStdout.textOf("a\rb"), "only a trailing one marks");
    }

    @Test
    void aFrameWithoutLinesIsNotAFrame() {
        assertThrows(IllegalArgumentException.class, () -> LogFrame.of(0, List.of()));
        WireFormatException empty = assertThrows(WireFormatException.class,
                () -> LogFrame.fromBytes(utf8("{\"v\":3,\"seq\":0,\"lines\":[]}")));
        assertEquals("Cannot read the log message: a log frame carries at least one line", empty.getMessage());
        WireFormatException none = assertThrows(WireFormatException.class,
                () -> LogFrame.fromBytes(utf8("{\"v\":3,\"seq\":0,\"line\":\"x\"}")));
        assertEquals("Cannot read the log message: 'lines' is missing", none.getMessage());
    }

    @Test
    void aOneLineFrameOfVersionOneIsRefusedNotMisread() {
        // Its seq was the line's own; read as a run, every later line would be numbered wrong.
        WireFormatException e = assertThrows(WireFormatException.class,
                () -> LogFrame.fromBytes(utf8("{\"v\":1,\"seq\":3,\"line\":\"x\"}")));
        assertEquals("The log message has wire version 1 but this Portainer speaks 3: use the same Portainer version "
                + "for the Maven plugin and the executor", e.getMessage());
    }

    @Test
    void anExecutorRefusesATaskOfAnotherVersionSayingWhatToDo() {
        String spec = "\"image\":\"a\",\"tags\":[\"1\"],\"dockerfile\":\"Dockerfile\",\"contextFile\":\"c.tar.gz\"}";
        for (int version : new int[] {1, 2, 4}) {
            WireFormatException e = assertThrows(WireFormatException.class,
                    () -> BuildSpec.fromBytes(utf8("{\"v\":" + version + "," + spec)));
            assertEquals("The build task description has wire version " + version + " but this Portainer speaks 3: "
                    + "use the same Portainer version for the Maven plugin and the executor", e.getMessage());
        }
    }

    @Test
    void theSchedulerReadsTheResultOfAnOlderExecutorSoItsRefusalIsShown() {
        // What an executor of version 1 answers to a task of version 2: its result must reach the user as written.
        String refusal = "The build task description has wire version 2 but this Portainer speaks 1: use the same "
                + "Portainer version for the Maven plugin and the executor";
        TaskResult old = new TaskResult(1, null, null, List.of(), -1, refusal, 0);

        TaskResult read = TaskResult.fromBytes(old.toBytes());

        assertTrue(read.failed());
        assertEquals(refusal, read.error());
        WireFormatException future = assertThrows(WireFormatException.class, () -> TaskResult.fromBytes(
                utf8("{\"v\":4,\"error\":\"x\"}")));
        assertTrue(future.getMessage().startsWith("The build result has wire version 4"), future.getMessage());
    }

    @Test
    void aRunningUpdateSaysWhenTheBuildIsAboutToPush() {
        TaskProgress read = TaskProgress.fromBytes(TaskProgress.pushingNow().toBytes());
        assertTrue(read.pushing());
        assertEquals(WireFormat.VERSION, read.v());
        assertFalse(TaskProgress.fromBytes(utf8("{\"v\":3}")).pushing(), "absent is not pushing");
        assertThrows(WireFormatException.class, () -> TaskProgress.fromBytes(utf8("{\"v\":3,\"pushing\":1}")));
    }

    @Test
    void aPushTaskNamesTheImageBuiltEarlierAndNoContext() {
        BuildSpec push = BuildSpec.pushOf("127.0.0.1:5000/team/app", List.of("1.0", "latest"), "sha256:" + "a".repeat(64),
                null);

        BuildSpec read = BuildSpec.fromBytes(push.toBytes());

        assertEquals(push, read);
        assertTrue(read.pushOnly());
        assertTrue(read.push());
        assertEquals("sha256:" + "a".repeat(64), read.imageId());
        assertEquals(null, read.contextFile(), "nothing is fetched for a push");
        assertTrue(new String(push.toBytes(), StandardCharsets.UTF_8).startsWith("{\"v\":3,\"action\":\"push\","),
                "a push task is of the version that knows pushes: an executor before it refuses it instead of building");
    }

    @Test
    void aTaskWithoutActionIsABuild() {
        BuildSpec read = BuildSpec.fromBytes(utf8("{\"v\":3,\"image\":\"a\",\"tags\":[\"1\"],"
                + "\"dockerfile\":\"Dockerfile\",\"contextFile\":\"c.tar\",\"push\":true}"));
        assertEquals(BuildSpec.Action.BUILD, read.action());
        assertFalse(read.pushOnly());
        assertEquals(null, read.imageId());
    }

    @Test
    void aPushTaskWithoutItsImageOrOfAnUnknownActionIsRefusedSayingWhy() {
        WireFormatException noImage = assertThrows(WireFormatException.class, () -> BuildSpec.fromBytes(
                utf8("{\"v\":3,\"action\":\"push\",\"image\":\"a\",\"tags\":[\"1\"],\"push\":true}")));
        assertEquals("Cannot read the build task description: imageId", noImage.getMessage());
        WireFormatException unknown = assertThrows(WireFormatException.class, () -> BuildSpec.fromBytes(
                utf8("{\"v\":3,\"action\":\"run\",\"image\":\"a\",\"tags\":[\"1\"]}")));
        assertEquals("Cannot read the build task description: unknown action 'run'", unknown.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new BuildSpec(WireFormat.VERSION, BuildSpec.Action.PUSH,
                "a", List.of("1"), null, null, true, null, null, new EphemeralDaemon(List.of()), null, "sha256:1", null,
                false),
                "an ephemeral daemon starts empty: the image cannot be in it");
    }

    @Test
    void aFrameOfAnExecutorOfSeveralTasksNamesItsTaskAndOnlyThen() {
        List<String> lines = List.of("Step 1/2 : FROM busybox", "Pushing 1 layer: 40% (4.0/10.0 MB)");
        List<LogFrame.Kind> kinds = List.of(LogFrame.Kind.OUTPUT, LogFrame.Kind.PROGRESS);
        LogFrame frame = new LogFrame(WireFormat.VERSION, 3, lines, kinds, "portainer-app-1");

        String json = new String(frame.toBytes(), StandardCharsets.UTF_8);

        assertEquals(frame, LogFrame.fromBytes(frame.toBytes()));
        assertTrue(json.endsWith(",\"taskId\":\"portainer-app-1\"}"), json);
        assertEquals(json, new String(LogFrame.toBytes("portainer-app-1", 3, List.of(LogFrame.encodeRun(lines)),
                List.of(1)), StandardCharsets.UTF_8), "runs encoded ahead give the same frame");
        assertEquals(null, LogFrame.fromBytes(LogFrame.of(0, List.of("a")).toBytes()).taskId());
        assertFalse(new String(LogFrame.of(0, List.of("a")).toBytes(), StandardCharsets.UTF_8).contains("taskId"),
                "an executor of one task sends what it always sent");
        assertEquals("tasks/portainer-app-1/stdout", ExecutorStdout.taskFile("portainer-app-1"));
        for (String unsafe : List.of("", ".", "..", "a/b", "../x")) {
            assertThrows(IllegalArgumentException.class, () -> ExecutorStdout.taskFile(unsafe), unsafe);
        }
    }

    @Test
    void aSpecMayNameWhereTheExecutorReadsItsContextAndOnlyForABuild() {
        BuildSpec spec = BuildSpec.of("127.0.0.1:5000/app", List.of("1"), "Dockerfile", "context.tar", true, null);

        assertFalse(new String(spec.toBytes(), StandardCharsets.UTF_8).contains("contextUri"));
        BuildSpec byPath = spec.withContextUri("file:///tmp/portainer/context-1.tar");
        assertEquals(byPath, BuildSpec.fromBytes(byPath.toBytes()));
        assertEquals("file:///tmp/portainer/context-1.tar", BuildSpec.fromBytes(byPath.toBytes()).contextUri());
        assertEquals("https://maven:8443/s/ctx", spec.withContextUri("https://maven:8443/s/ctx").contextUri());
        assertThrows(IllegalArgumentException.class, () -> spec.withContextUri("hdfs://nn/ctx.tar"));
        assertThrows(IllegalArgumentException.class, () -> new BuildSpec(WireFormat.VERSION, BuildSpec.Action.PUSH,
                "a", List.of("1"), null, null, true, null, null, null, null, "sha256:1", "file:///x", false));
    }

    @Test
    void aContextStillBeingPackedIsSaidSoForAFileOrAnHttpUrl() {
        BuildSpec spec = BuildSpec.of("127.0.0.1:5000/app", List.of("1"), "Dockerfile", "context.tar", true, null);

        BuildSpec growing = spec.withGrowingContext(Path.of("/tmp/portainer/../portainer/context-1.tar"));

        assertEquals("file:///tmp/portainer/context-1.tar", growing.contextUri());
        assertTrue(growing.contextGrowing());
        assertEquals(growing, BuildSpec.fromBytes(growing.toBytes()));
        assertTrue(new String(growing.toBytes(), StandardCharsets.UTF_8).endsWith(",\"contextGrowing\":true}"));
        assertFalse(new String(spec.withContextUri("file:///x.tar").toBytes(), StandardCharsets.UTF_8)
                .contains("contextGrowing"), "absent unless set");
        assertFalse(growing.withContextUri("file:///x.tar").contextGrowing(), "another context is a complete one");
        BuildSpec served = spec.withGrowingContextUri("http://10.0.0.5:41234/t/context.tar.gz");
        assertTrue(served.contextGrowing());
        assertEquals(served, BuildSpec.fromBytes(served.toBytes()));
        assertThrows(IllegalArgumentException.class, () -> spec.withGrowingContextUri("file:///x.tar"));
        assertThrows(IllegalArgumentException.class, () -> new BuildSpec(WireFormat.VERSION, BuildSpec.Action.BUILD,
                "a", List.of("1"), "Dockerfile", "context.tar", true, null, null, null, null, null, null, true),
                "only a context the executor reads itself can be followed as it grows");
    }
}

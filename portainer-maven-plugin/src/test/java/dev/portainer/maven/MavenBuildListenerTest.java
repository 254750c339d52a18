package dev.portainer.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.maven.plugin.logging.SystemStreamLog;
import org.junit.jupiter.api.Test;

class MavenBuildListenerTest {
    /** Records what reaches Maven's log, level first. */
    private static final class RecordingLog extends SystemStreamLog {
        final List<String> lines = new ArrayList<>();

        @Override
        public void info(CharSequence content) {
            lines.add("[INFO] " + content);
        }

        @Override
        public void warn(CharSequence content) {
            lines.add("[WARNING] " + content);
        }
    }

    @Test
    void dockersWarningsAreMavenWarningsWithTheImagesPrefixLikeEveryOtherLine() {
        RecordingLog log = new RecordingLog();
        MavenBuildListener listener = new MavenBuildListener(log, "127.0.0.1:5000/team/app");

        listener.log("team/app", "Step 1/2 : FROM busybox");
        listener.logWarning("team/app", "[Warning] One or more build-args [FOO] were not consumed");
        listener.log("team/app", "");

        assertEquals(List.of("[INFO] [127.0.0.1:5000/team/app] Step 1/2 : FROM busybox",
                "[WARNING] [127.0.0.1:5000/team/app] [Warning] One or more build-args [FOO] were not consumed",
                "[INFO] [127.0.0.1:5000/team/app] "), log.lines);
    }

    @Test
    void withSeveralImagesEachTasksWarningCarriesItsOwnImage() {
        RecordingLog log = new RecordingLog();
        MavenBuildListener listener = new MavenBuildListener(log, Map.of("a:1.0", "reg/a", "b:1.0", "reg/b"));

        listener.logWarning("b:1.0", "[WARNING]: Empty continuation line found in:");

        assertEquals(List.of("[WARNING] [reg/b] [WARNING]: Empty continuation line found in:"), log.lines);
    }
}

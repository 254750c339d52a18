package dev.portainer.core.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.portainer.core.scheduler.BuildEvents;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class NeverFailingEventsTest {

    @Test
    void aConsoleThatThrowsDoesNotStopTheCaller() {
        List<String> tried = new ArrayList<>();
        BuildEvents broken = new BuildEvents() {
            @Override
            public void info(String message) {
                tried.add(message);
                throw new NumberFormatException("For input string: \"0m\"");
            }

            @Override
            public void log(String taskName, String line) {
                tried.add(line);
                throw new IllegalStateException("closed");
            }

            @Override
            public void logWarning(String taskName, String line) {
                tried.add("warning " + line);
                throw new IllegalStateException("closed");
            }

            @Override
            public void warn(String message) {
                tried.add(message);
                throw new IllegalStateException("closed");
            }
        };
        BuildEvents safe = NeverFailingEvents.wrap(broken);

        safe.info("a");
        safe.log("task", "b");
        safe.logWarning("task", "[Warning] One or more build-args [X] were not consumed");
        safe.warn("c");

        assertEquals(List.of("a", "b", "warning [Warning] One or more build-args [X] were not consumed", "c"), tried,
                "every line is still offered to the console, a warning as one");
        assertSame(safe, NeverFailingEvents.wrap(safe), "wrapping twice adds nothing");
    }

    @Test
    void aProgressLineThatTheConsoleFailsOnDoesNotStopTheCallerEither() {
        List<String> tried = new ArrayList<>();
        BuildEvents safe = NeverFailingEvents.wrap(new BuildEvents() {
            @Override
            public void info(String message) {
            }

            @Override
            public void log(String taskName, String line) {
                tried.add("as a line: " + line);
            }

            @Override
            public void warn(String message) {
            }

            @Override
            public void progress(String taskName, String line) {
                tried.add(line);
                throw new IllegalStateException("closed");
            }
        });

        safe.progress("task", "Pushing 1 layer: 50% (1.0/2.0 MB)");

        assertEquals(List.of("Pushing 1 layer: 50% (1.0/2.0 MB)"), tried, "offered to the console as progress");
    }
}

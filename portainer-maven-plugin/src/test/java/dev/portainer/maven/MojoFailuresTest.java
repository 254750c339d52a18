package dev.portainer.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.portainer.core.config.InvalidSettingException;
import dev.portainer.core.config.Message;
import dev.portainer.core.config.Setting;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import org.apache.maven.plugin.MojoFailureException;
import org.junit.jupiter.api.Test;

class MojoFailuresTest {
    @Test
    void coresMessageInMavensTermsIsSaidOnceAndTheFailureStaysForTheStackTrace() {
        InvalidSettingException why = new InvalidSettingException(Message.of("buildCpu must be more than 0; fix ",
                Setting.BUILD_CPU));

        MojoFailureException failure = MojoFailures.usersFault(MavenSuggestions.INSTANCE.describe(why), why);

        assertEquals("buildCpu must be more than 0; fix <buildCpu> (portainer.buildCpu)", failure.getMessage());
        assertNull(failure.getCause(), "Maven appends every cause's message");
        assertSame(why, failure.getSuppressed()[0]);
    }

    @Test
    void whatTheCausesAddIsKeptAsMavenWouldAddIt() {
        IOException why = new IOException("Cannot read the context", new NoSuchFileException("/app/Dockerfile"));

        assertEquals("No Dockerfile in /app: /app/Dockerfile",
                MojoFailures.systemFault("No Dockerfile in /app", why).getMessage());
        assertEquals("Cannot read /app/Dockerfile", MojoFailures.said("Cannot read /app/Dockerfile", why),
                "a cause already said is not repeated");
    }
}

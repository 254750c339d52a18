package dev.portainer.core.build;

import dev.portainer.core.config.Setting;
import dev.portainer.core.config.InvalidSettingException;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portainer.core.mesos.scheduler.MesosMaster;
import dev.portainer.core.scheduler.SchedulerConfig;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RunSettingsTest {
    private RunSettings.Builder request() {
        return RunSettings.builder().work(Path.of("target/portainer"), Path.of("executor.jar"));
    }

    @Test
    void nothingWaitsForeverByDefault() {
        // A build stuck anywhere after its launch (an executor that never subscribes, a hung RUN step) is killed.
        assertEquals(Duration.ofHours(2), request().build().timeout());
        assertEquals(Duration.ofHours(2), SchedulerConfig.defaults(MesosMaster.parse("127.0.0.1:5050"), "u", "h")
                .buildTimeout());
        assertEquals(Duration.ofMinutes(45), request().timeout(Duration.ofMinutes(45)).build().timeout());
    }

    @Test
    void aKilledMavensBuildsEndWithinSecondsOnARealMaster() {
        assertEquals(Duration.ofSeconds(30), request().build().framework().failoverTimeout());
    }

    @Test
    void aTimeoutThatIsNotPositiveNamesTheParameter() {
        InvalidSettingException e = assertThrows(InvalidSettingException.class,
                () -> request().timeout(Duration.ZERO).build());
        assertEquals(List.of(Setting.TIMEOUT), e.explanation().settings());
        assertTrue(e.getMessage().contains("fix timeout, or leave it unset"), e.getMessage());
        assertTrue(e.getMessage().contains("default of 2 hours"), e.getMessage());
    }

    @Test
    void aStagingPortThatIsNoTcpPortNamesTheParameter() {
        for (int port : new int[] {-1, 65536}) {
            InvalidSettingException e = assertThrows(InvalidSettingException.class,
                    () -> request().stagingPort(port).build());
            assertEquals(List.of(Setting.STAGING_PORT), e.explanation().settings());
            assertTrue(e.getMessage().contains("stagingPort must be a TCP port, 1 to 65535, or 0 for any free port (got "
                    + port + "); fix stagingPort"), e.getMessage());
        }
        assertEquals(5050, request().stagingPort(5050).build().stagingPort());
    }
}

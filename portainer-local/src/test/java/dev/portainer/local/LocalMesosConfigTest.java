package dev.portainer.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class LocalMesosConfigTest {
    /**
     * The agent's memory is the machine's as Mesos reads it, sysinfo's totalram; getconf's _PHYS_PAGES × PAGESIZE
     * is glibc's reading of the same sysinfo, so it tells it independently of /proc/meminfo. In a container with a
     * memory limit (checked by hand in a 3 GB memory cgroup) this also tells it from the JVM's container-aware
     * OperatingSystemMXBean, which the agent used before and which reported the limit.
     */
    @Test
    void theAgentsMemoryIsTheMachinesLessOneGigabyteAsMesosDetectsIt() throws Exception {
        assumeTrue(Files.isReadable(Path.of("/proc/meminfo")), "a Linux machine");
        long total = Long.parseLong(getconf("_PHYS_PAGES")) * Long.parseLong(getconf("PAGESIZE"));
        assertEquals(total, LocalMesosConfig.Builder.totalMemoryBytes());
        long totalMb = total / (1024 * 1024);
        double expected = totalMb >= 2048 ? totalMb - 1024 : Math.max(1, totalMb / 2);
        assertEquals(expected, LocalMesosConfig.builder().build().memMb());
    }

    private static String getconf(String name) throws IOException, InterruptedException {
        Process process = new ProcessBuilder("getconf", name).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip();
        assertEquals(0, process.waitFor(), out);
        return out;
    }
}

package dev.portainer.local;

import java.util.List;

/** Finds processes by a marker in their command line, to prove that a process tree was killed. */
final class Processes {
    private Processes() {
    }

    static List<ProcessHandle> withMarker(String marker) {
        return ProcessHandle.allProcesses()
                .filter(ProcessHandle::isAlive)
                .filter(p -> p.info().commandLine().map(c -> c.contains(marker)).orElse(false))
                .toList();
    }

    static boolean noneWithin(String marker, long millis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + millis;
        while (System.currentTimeMillis() < deadline) {
            if (withMarker(marker).isEmpty()) {
                return true;
            }
            Thread.sleep(50);
        }
        return withMarker(marker).isEmpty();
    }
}

package dev.portainer.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** What /proc tells about a process of this machine; empty where it is gone, or another user's. */
final class ProcFs {
    private ProcFs() {
    }

    /**
     * Alive and not a zombie: an orphaned executor is reaped by init a second or two after it ended, and meanwhile
     * runs nothing, holds no socket and no container.
     */
    static boolean running(ProcessHandle process) {
        if (!process.isAlive()) {
            return false;
        }
        try {
            String stat = Files.readString(Path.of("/proc/" + process.pid() + "/stat"));
            return !stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
        } catch (IOException e) {
            return false; // gone meanwhile
        }
    }

    /**
     * The process's working directory as the kernel names it: a directory removed since ends in " (deleted)", which
     * still tells where the process was started.
     */
    static Optional<String> cwd(ProcessHandle process) {
        try {
            return Optional.of(Files.readSymbolicLink(Path.of("/proc/" + process.pid() + "/cwd")).toString());
        } catch (IOException | SecurityException | UnsupportedOperationException e) {
            return Optional.empty();
        }
    }

    /** Whether the environment the process was started with holds {@code name=value}. */
    static boolean hasVariable(ProcessHandle process, String name, String value) {
        byte[] environ;
        try {
            environ = Files.readAllBytes(Path.of("/proc/" + process.pid() + "/environ"));
        } catch (IOException | SecurityException e) {
            return false;
        }
        String entry = name + "=" + value;
        for (String variable : new String(environ, StandardCharsets.UTF_8).split("\0")) {
            if (variable.equals(entry)) {
                return true;
            }
        }
        return false;
    }

    static String describe(ProcessHandle process) {
        return process.pid() + " " + process.info().commandLine().orElse("?");
    }
}

package dev.portainer.core.leftovers;

/** Whether a process still runs, by pid: how a run tells what a killed run left behind from what a live one uses. */
@FunctionalInterface
public interface ProcessLiveness {
    boolean isRunning(long pid);

    /** Asks the operating system (on Linux, {@code /proc}); sees every user's processes. */
    static ProcessLiveness system() {
        return pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }
}

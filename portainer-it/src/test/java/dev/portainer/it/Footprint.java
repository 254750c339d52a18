package dev.portainer.it;

import dev.portainer.local.LocalMesos;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What one Maven run of the suite can call its own, and nothing that another build on this machine, its Docker daemon
 * or its Mesos could have made: the processes that carry its {@link MavenRun#RUN_VARIABLE}, the work directory of its
 * embedded Mesos (named after Maven's pid), and what its log names: the frameworks it registered, the tasks it
 * launched, and the build containers Docker announced ("---> Running in &lt;id&gt;").
 *
 * <p>Not labels: Docker's classic builder puts a build's {@code labels} into a last LABEL step of the image (which
 * changes the image's id, so Portainer must not add any), and its RUN steps' containers only inherit the labels the
 * Dockerfile set before them. The ids in the build's own stream are what names its containers.
 */
record Footprint(String runId, long mavenPid, List<String> frameworkIds, List<String> taskIds,
                 List<String> containerIds) {
    private static final Pattern FRAMEWORK = Pattern.compile("as framework (\\S+);");
    private static final Pattern TASK = Pattern.compile("Launched (\\S+) on ");
    private static final Pattern CONTAINER = Pattern.compile("---> Running in ([0-9a-f]{12,64})\\b");

    static Footprint of(MavenRun.Outcome build) {
        return of(build.runId(), build.pid(), build.output());
    }

    /** What the running build has named so far. */
    static Footprint of(MavenRun.Running build) throws IOException {
        return of(build.runId(), build.process().pid(), build.output());
    }

    private static Footprint of(String runId, long pid, String log) {
        return new Footprint(runId, pid, all(FRAMEWORK, log), all(TASK, log), all(CONTAINER, log));
    }

    private static List<String> all(Pattern pattern, String log) {
        Set<String> found = new LinkedHashSet<>();
        Matcher m = pattern.matcher(log);
        while (m.find()) {
            found.add(m.group(1));
        }
        return List.copyOf(found);
    }

    /** The framework, for a build of one module; fails if the log names none or several. */
    String frameworkId() {
        if (frameworkIds.size() != 1) {
            throw new AssertionError("expected one framework in the build log, found " + frameworkIds);
        }
        return frameworkIds.get(0);
    }

    /** The task, for a build of one image that ran once; fails if the log names none or several. */
    String taskId() {
        if (taskIds.size() != 1) {
            throw new AssertionError("expected one launched task in the build log, found " + taskIds);
        }
        return taskIds.get(0);
    }

    /**
     * This run's processes still running: those started with its {@link MavenRun#RUN_VARIABLE} (Maven's children:
     * the embedded agent's executors, a standby executor, the class-data training JVM; orphaned or not) and any
     * working in its embedded Mesos's work directory.
     */
    List<ProcessHandle> processes() {
        String workDirs = workDirPrefix().toString();
        return ProcessHandle.allProcesses()
                .filter(p -> p.pid() != ProcessHandle.current().pid())
                .filter(p -> ProcFs.hasVariable(p, MavenRun.RUN_VARIABLE, runId)
                        || ProcFs.cwd(p).map(d -> d.startsWith(workDirs)).orElse(false))
                .filter(ProcFs::running)
                .toList();
    }

    /**
     * The work directories of this Maven's embedded Mesos (its sandboxes and standby executors): named with the
     * pid of the JVM that made them, in the temporary directory.
     */
    List<Path> localMesosWorkDirs() throws IOException {
        Path prefix = workDirPrefix();
        List<Path> found = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(prefix.getParent(),
                prefix.getFileName() + "*")) {
            entries.forEach(found::add);
        }
        return found;
    }

    private Path workDirPrefix() {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath();
        try {
            tmp = tmp.toRealPath(); // as the embedded Mesos names its work directory
        } catch (IOException e) {
            // not there: nothing will be found in it
        }
        return tmp.resolve(LocalMesos.TEMPORARY_WORK_DIR + "pid" + mavenPid + "-");
    }

    /** The containers of this build that still exist, in any state (ids as Docker announced them). */
    List<String> containers() throws IOException, InterruptedException {
        if (containerIds.isEmpty()) {
            return List.of();
        }
        // Several id filters match any of them; an id filter matches the full id by its prefix.
        List<String> command = new ArrayList<>(List.of("ps", "-a", "--no-trunc", "--format",
                "{{.ID}} {{.Status}} {{.Command}}"));
        containerIds.forEach(id -> command.addAll(List.of("--filter", "id=" + id)));
        return Docker.ok(command.toArray(String[]::new)).lines().filter(l -> !l.isBlank()).toList();
    }
}

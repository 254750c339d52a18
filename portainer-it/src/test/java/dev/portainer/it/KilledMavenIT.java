package dev.portainer.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portainer.local.LocalMesos;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * {@code kill -9} of the Maven JVM while a RUN step sleeps (the OOM killer, a cancelled CI job): no clean-up of
 * Maven's runs, yet within seconds the build's executor has ended and its Docker build container is gone, and its
 * image is never pushed. The next build of the project succeeds and removes what the killed one left on disk.
 *
 * <p>Other builds may run on this machine and its Docker daemon meanwhile: everything checked here is this build's,
 * found by what names it (Maven's descendants, its framework id, a label in its Dockerfile, its image's tag). So,
 * since it mostly waits (a RUN step sleeping a minute, and the time a push would take after it), it runs beside the
 * suite's other tests.
 */
@Execution(ExecutionMode.CONCURRENT)
class KilledMavenIT {
    private static final int GONE_WITHIN_SECONDS = 30;
    /** How long after the kill the tag must still be absent: past the end of the RUN step's sleep and a push. */
    private static final int NEVER_PUSHED_FOR_SECONDS = 60;
    private static final Pattern FRAMEWORK = Pattern.compile("as framework (\\S+);");

    @Test
    void killedMavenStopsItsBuildWhichNeverPushesAndTheNextBuildRemovesWhatItLeft() throws Exception {
        String marker = "killed-" + UUID.randomUUID().toString().substring(0, 8);
        String repository = "it/" + marker;
        String image = MavenRun.REGISTRY + "/" + repository;
        Path project = MavenRun.copyProject("slow-build");
        // The LABEL is inherited by the RUN step's container: it finds this build's container and no other.
        Files.writeString(project.resolve("Dockerfile"), "FROM 127.0.0.1:5000/portainer/busybox:latest\n"
                + "LABEL portainer.it.killed=" + marker + "\n"
                + "RUN echo \"" + marker + "\" \"started\" && sleep 60\n");
        // A temporary directory of this test's own for both builds' embedded Mesos: every Maven that starts on this
        // machine removes the work directories that killed ones left in the temporary directory it uses, so another
        // build (another copy of this suite) would otherwise do the next build's job before the checks below.
        Path tmp = Files.createDirectories(Path.of(System.getProperty("portainer.it.work")).resolve(marker + "-tmp"));
        Map<String, String> env = Map.of("MAVEN_OPTS", (System.getenv().getOrDefault("MAVEN_OPTS", "")
                + " -Djava.io.tmpdir=" + tmp).trim());
        // On a real cluster it is the master that ends the builds of a vanished framework, after failoverTimeout:
        // shorter than the default, so that the same 30 s hold there. (The embedded Mesos dies with Maven.)
        MavenRun.Running build = MavenRun.start(project, env, "package", "portainer:build",
                "-Dportainer.image=" + image, "-Dportainer.tags=" + marker, "-Dportainer.failoverTimeout=PT10S");
        List<ProcessHandle> executors = List.of();
        try {
            build.awaitOutput(marker + " started", 120);
            String frameworkId = frameworkId(build.output());
            executors = executorsOf(build.process(), frameworkId);
            boolean local = MavenRun.MESOS_MASTER.equals("local");
            if (local) {
                assertFalse(executors.isEmpty(), "this build's executor runs under Maven");
            }
            Optional<Path> workDir = executors.stream().map(KilledMavenIT::cwd).flatMap(Optional::stream)
                    .map(dir -> localMesosWorkDir(dir, build.process().pid())).flatMap(Optional::stream).findFirst();
            assertEquals(local, workDir.isPresent(), "the embedded Mesos's work directory: " + workDir);
            if (workDir.isPresent()) {
                assertEquals(tmp.toRealPath(), workDir.get().getParent(), "in the temporary directory Maven was given");
            }
            List<Path> contexts = packedContexts(project);
            assertEquals(1, contexts.size(), "the packed context: " + contexts);
            assertEquals(1, containers(marker).size(), "the RUN step's container runs");

            long killedAt = System.nanoTime();
            run("kill", "-KILL", Long.toString(build.process().pid()));
            assertTrue(build.process().waitFor(10, TimeUnit.SECONDS), "kill -9 did not end Maven");

            long[] goneMs = awaitGone(executors, marker, killedAt);
            System.out.println("kill -9 of Maven: executor gone after " + goneMs[0] + " ms, build container gone "
                    + "after " + goneMs[1] + " ms");
            Optional<MesosApi> cluster = MesosApi.ofSuite();
            if (cluster.isPresent()) {
                // The master ended the framework once its failover timeout ran out, and no agent runs its executor.
                cluster.get().awaitEnded(frameworkId, killedAt + TimeUnit.SECONDS.toNanos(GONE_WITHIN_SECONDS));
            }
            assertEquals(404, Registry.status(repository, marker), "the killed build pushed its image");
            if (workDir.isPresent()) {
                // What the executor said, read before the next build removes the directory.
                String said = executorStdout(workDir.get(), frameworkId);
                System.out.println("The killed build's executor wrote:\n" + said);
                assertTrue(said.contains("does not checkpoint"), said);
                assertFalse(said.contains("TASK_FINISHED"), said);
            }

            long neverPushedUntil = killedAt + TimeUnit.SECONDS.toNanos(NEVER_PUSHED_FOR_SECONDS);
            Thread.sleep(Math.max(0, TimeUnit.NANOSECONDS.toMillis(neverPushedUntil - System.nanoTime())));
            assertEquals(404, Registry.status(repository, marker),
                    "pushed after all, " + NEVER_PUSHED_FOR_SECONDS + " s after Maven was killed");
            assertEquals(List.of(), containers(marker), "a build container of the killed build is back");
            // Nobody cleaned up after a kill -9: it is the next build's to do.
            assertTrue(contexts.stream().allMatch(Files::exists), "kill -9 runs no clean-up: " + contexts);
            workDir.ifPresent(dir -> assertTrue(Files.isDirectory(dir), dir + " is gone already"));

            Files.writeString(project.resolve("Dockerfile"), "FROM 127.0.0.1:5000/portainer/busybox:latest\n"
                    + "RUN echo \"" + marker + "\" \"second\"\n");
            MavenRun.Outcome second = MavenRun.run(project, env, "package", "portainer:build",
                    "-Dportainer.image=" + image, "-Dportainer.tags=" + marker + "-second");
            assertTrue(second.succeeded(), second.output());
            assertEquals(200, Registry.status(repository, marker + "-second"), second.output());
            assertTrue(second.output().contains("Removed what a killed build left in"), second.output());
            for (Path context : contexts) {
                assertFalse(Files.exists(context), "the killed build's packed context stays: " + context);
            }
            assertEquals(List.of(), packedContexts(project), "packed contexts left in target/portainer");
            workDir.ifPresent(dir -> assertFalse(Files.exists(dir), "the killed build's work directory stays: " + dir));
            assertEquals(404, Registry.status(repository, marker));
        } finally {
            // A failed assertion above must not leave this build's processes to disturb later tests.
            executors.forEach(ProcessHandle::destroyForcibly);
            build.process().descendants().forEach(ProcessHandle::destroyForcibly);
            build.process().destroyForcibly();
            Docker.run("rmi", "-f", image + ":" + marker, image + ":" + marker + "-second");
        }
    }

    private static String frameworkId(String output) {
        Matcher m = FRAMEWORK.matcher(output);
        if (!m.find()) {
            throw new AssertionError("no framework id in the build log: " + output);
        }
        return m.group(1);
    }

    /**
     * This build's executor JVMs: Maven's descendants that run the executor jar (the embedded agent's), and any
     * process working in a sandbox of this build's framework (an agent on this machine).
     */
    private static List<ProcessHandle> executorsOf(Process maven, String frameworkId) {
        Set<ProcessHandle> found = new LinkedHashSet<>();
        maven.descendants().filter(p -> p.info().commandLine().orElse("").contains("portainer-executor.jar"))
                .forEach(found::add);
        String sandboxes = "/frameworks/" + frameworkId + "/executors/";
        ProcessHandle.allProcesses().filter(p -> cwd(p).map(d -> d.toString().contains(sandboxes)).orElse(false))
                .forEach(found::add);
        return new ArrayList<>(found);
    }

    private static Optional<Path> cwd(ProcessHandle process) {
        try {
            return Optional.of(Path.of("/proc/" + process.pid() + "/cwd").toRealPath());
        } catch (IOException | SecurityException e) {
            return Optional.empty(); // ended, or another user's
        }
    }

    /**
     * The temporary work directory of Maven's embedded Mesos that holds {@code path} (a sandbox or a standby's
     * directory).
     */
    private static Optional<Path> localMesosWorkDir(Path path, long mavenPid) {
        // Named after the JVM that made it: Maven's, not that of a portainer-local standing in for a cluster.
        String name = LocalMesos.TEMPORARY_WORK_DIR + "pid" + mavenPid + "-";
        for (Path p = path; p != null; p = p.getParent()) {
            if (p.getFileName() != null && p.getFileName().toString().startsWith(name)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    private static String executorStdout(Path workDir, String frameworkId) throws IOException {
        try (Stream<Path> files = Files.walk(workDir.resolve("slaves"))) {
            List<Path> stdout = files.filter(p -> p.toString().contains("/frameworks/" + frameworkId + "/executors/")
                    && p.getFileName().toString().equals("stdout") && !p.toString().contains("/runs/latest/"))
                    .toList();
            assertEquals(1, stdout.size(), "one executor sandbox: " + stdout);
            return Files.readString(stdout.get(0));
        }
    }

    private static List<Path> packedContexts(Path project) throws IOException {
        Path work = project.resolve("target/portainer");
        if (!Files.isDirectory(work)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(work)) {
            return files.filter(p -> p.getFileName().toString().startsWith("context-")).sorted().toList();
        }
    }

    /** The build containers of this build, by the label its Dockerfile gives them. */
    private static List<String> containers(String marker) throws IOException, InterruptedException {
        String out = Docker.ok("ps", "-aq", "--no-trunc", "--filter", "label=portainer.it.killed=" + marker);
        return out.lines().filter(l -> !l.isBlank()).toList();
    }

    /**
     * Waits until the processes have ended and the build's containers are gone; returns how long each took, in ms.
     */
    private static long[] awaitGone(List<ProcessHandle> processes, String marker, long since)
            throws IOException, InterruptedException {
        long end = since + TimeUnit.SECONDS.toNanos(GONE_WITHIN_SECONDS);
        long[] goneMs = {-1, -1};
        List<ProcessHandle> running = processes;
        List<String> containers = containers(marker);
        while (true) {
            running = running.stream().filter(ProcFs::running).toList();
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - since);
            if (running.isEmpty() && goneMs[0] < 0) {
                goneMs[0] = ms;
            }
            if (containers.isEmpty() && goneMs[1] < 0) {
                goneMs[1] = ms;
            }
            if (goneMs[0] >= 0 && goneMs[1] >= 0 || System.nanoTime() > end) {
                break;
            }
            Thread.sleep(50);
            containers = containers(marker);
        }
        assertEquals(List.of(), running.stream().map(p -> p.pid() + " " + p.info().commandLine().orElse("?"))
                .collect(Collectors.toList()), "executors of the killed build still run after "
                + GONE_WITHIN_SECONDS + " s");
        assertEquals(List.of(), containers, "the killed build's container stays after " + GONE_WITHIN_SECONDS + " s");
        return goneMs;
    }

    private static void run(String... command) throws IOException, InterruptedException {
        new ProcessBuilder(command).inheritIO().start().waitFor();
    }
}

package dev.portainer.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/** Runs a real Maven build of a copied project with the plugin under test, as a user would. */
final class MavenRun {
    static final String MESOS_MASTER = System.getProperty("portainer.it.mesosMaster", "local");
    static final String REGISTRY = System.getProperty("portainer.it.registry", "127.0.0.1:5000");
    /**
     * Set in each Maven's environment to an id of that run alone. Every process Maven starts inherits it (the
     * embedded agent passes its own environment on to the executors it starts), so the checks find this run's
     * processes, and no other build's, in /proc/pid/environ, even once Maven is gone and they were re-parented.
     */
    static final String RUN_VARIABLE = "PORTAINER_IT_RUN";
    /** The settings.xml server that carries the cluster's framework credential, when the suite has one. */
    static final String CLUSTER_SERVER_ID = "portainer-it-mesos";

    /** A finished build: {@code runId} is its {@link #RUN_VARIABLE}, {@code pid} its Maven JVM's. */
    record Outcome(int exitCode, String output, Path project, String runId, long pid) {
        boolean succeeded() {
            return exitCode == 0 && output.contains("BUILD SUCCESS");
        }
    }

    private MavenRun() {
    }

    /** Copies an example (from examples/) into a fresh directory under target/it-work. */
    static Path copyExample(String name) throws IOException {
        return copy(Path.of(System.getProperty("portainer.it.examples")).resolve(name), name);
    }

    /** Copies a test-only project (from src/it-projects/). */
    static Path copyProject(String name) throws IOException {
        return copy(Path.of(System.getProperty("portainer.it.projects")).resolve(name), name);
    }

    private static Path copy(Path source, String name) throws IOException {
        Path target = Path.of(System.getProperty("portainer.it.work")).resolve(name + "-" + UUID.randomUUID()
                .toString().substring(0, 8));
        Files.walkFileTree(source, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                if (dir.getFileName().toString().equals("target")) {
                    return FileVisitResult.SKIP_SUBTREE;
                }
                Files.createDirectories(target.resolve(source.relativize(dir).toString()));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.copy(file, target.resolve(source.relativize(file).toString()), StandardCopyOption.COPY_ATTRIBUTES);
                return FileVisitResult.CONTINUE;
            }
        });
        return target;
    }

    /** A build still running: its process (the Maven JVM itself, since bin/mvn execs java) and its log. */
    record Running(Process process, Path log, Path project, String runId) {
        String output() throws IOException {
            return Files.readString(log, StandardCharsets.UTF_8);
        }

        /** The build as it ended; fails if it has not. */
        Outcome outcome() throws IOException {
            if (process.isAlive()) {
                throw new AssertionError("the build in " + project + " still runs");
            }
            return new Outcome(process.exitValue(), output(), project, runId, process.pid());
        }

        /** Waits for the build to end, as {@link MavenRun#run} does. */
        Outcome finish() throws IOException, InterruptedException {
            if (!process.waitFor(10, TimeUnit.MINUTES)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                throw new AssertionError("Maven build in " + project + " did not finish in 10 minutes");
            }
            return new Outcome(process.exitValue(), output(), project, runId, process.pid());
        }

        /**
         * Whether this Maven process ignores {@code signal} (its {@code SigIgn} mask): a JVM started with SIGINT
         * ignored, as a background job of a non-interactive shell is, keeps ignoring it, so Ctrl-C cannot be tested.
         */
        boolean ignores(int signal) throws IOException {
            String mask = Files.readAllLines(Path.of("/proc/" + process.pid() + "/status")).stream()
                    .filter(l -> l.startsWith("SigIgn:")).findFirst().orElse("SigIgn: 0").substring(7).trim();
            return (Long.parseUnsignedLong(mask, 16) & (1L << (signal - 1))) != 0;
        }

        /** Waits until the log contains the text; fails if the build ends or the time runs out first. */
        void awaitOutput(String text, long seconds) throws IOException, InterruptedException {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            while (!output().contains(text)) {
                if (!process.isAlive() || System.nanoTime() > end) {
                    throw new AssertionError("'" + text + "' did not appear in the build log: " + output());
                }
                Thread.sleep(200);
            }
        }
    }

    /** Starts {@code mvn -B <args>} in the project like {@link #run} and returns at once. */
    static Running start(Path project, String... args) throws IOException {
        return start(project, Map.of(), args);
    }

    /** Like {@link #start(Path, String...)}, with extra environment variables for Maven (and its embedded Mesos). */
    static Running start(Path project, Map<String, String> environment, String... args) throws IOException {
        Path log = project.resolve("build.log");
        String runId = UUID.randomUUID().toString();
        return new Running(launch(project, null, Set.of(), environment, log, runId, args), log, project, runId);
    }

    /** Runs {@code mvn -B <args>} in the project with the private IT repository and the chosen master. */
    static Outcome run(Path project, String... args) throws IOException, InterruptedException {
        return run(project, null, Map.of(), args);
    }

    /** Like {@link #run(Path, String...)}, with {@code -s settings} (user settings.xml). */
    static Outcome runWithSettings(Path project, Path settings, String... args)
            throws IOException, InterruptedException {
        return run(project, settings, Map.of(), args);
    }

    /** Like {@link #run(Path, String...)}, with extra environment variables for Maven (and its embedded Mesos). */
    static Outcome run(Path project, Map<String, String> environment, String... args)
            throws IOException, InterruptedException {
        return run(project, null, environment, args);
    }

    /**
     * Like {@link #run(Path, Map, String...)}, with the {@code removed} variables taken out of Maven's environment
     * first (a test of the locale must not inherit the caller's {@code LC_ALL}).
     */
    static Outcome runWithout(Path project, Set<String> removed, Map<String, String> environment, String... args)
            throws IOException, InterruptedException {
        return run(project, null, removed, environment, args);
    }

    private static Outcome run(Path project, Path settings, Map<String, String> environment, String... args)
            throws IOException, InterruptedException {
        return run(project, settings, Set.of(), environment, args);
    }

    /**
     * Like {@link #run(Path, String...)}, with Maven's output on a pseudo-terminal (util-linux's {@code script}), so
     * that Maven sees a console as on a developer's machine; {@code batchMode} false leaves out {@code -B}. The
     * output is what the terminal received: escape sequences, carriage returns and {@code \r\n} line ends.
     */
    static Outcome runOnTerminal(Path project, boolean batchMode, String... args)
            throws IOException, InterruptedException {
        return run(project, null, Set.of(), Map.of("TERM", "xterm"), batchMode ? Console.TERMINAL_BATCH
                : Console.TERMINAL_INTERACTIVE, args);
    }

    /** The width of the pseudo-terminal of {@link #runOnTerminal}. */
    static final int TERMINAL_COLUMNS = 100;

    /** Where Maven writes: a file (never a terminal, always {@code -B}), or a pseudo-terminal, with or without it. */
    private enum Console { FILE, TERMINAL_BATCH, TERMINAL_INTERACTIVE }

    private static Outcome run(Path project, Path settings, Set<String> removed, Map<String, String> environment,
                               String... args) throws IOException, InterruptedException {
        return run(project, settings, removed, environment, Console.FILE, args);
    }

    private static Outcome run(Path project, Path settings, Set<String> removed, Map<String, String> environment,
                               Console console, String... args) throws IOException, InterruptedException {
        Path log = project.resolve("build.log");
        String runId = UUID.randomUUID().toString();
        Process process = launch(project, settings, removed, environment, log, runId, console, args);
        if (!process.waitFor(10, TimeUnit.MINUTES)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            throw new AssertionError("Maven build in " + project + " did not finish in 10 minutes");
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);
        return new Outcome(process.exitValue(), output, project, runId, process.pid());
    }

    private static Process launch(Path project, Path settings, Set<String> removed, Map<String, String> environment,
                                  Path log, String runId, String... args) throws IOException {
        return launch(project, settings, removed, environment, log, runId, Console.FILE, args);
    }

    private static Process launch(Path project, Path settings, Set<String> removed, Map<String, String> environment,
                                  Path log, String runId, Console console, String... args) throws IOException {
        Path mvn = Path.of(System.getProperty("maven.home"), "bin", "mvn");
        List<String> command = new ArrayList<>(List.of(mvn.toString(), "-B", "-e",
                "-Dmaven.repo.local=" + System.getProperty("portainer.it.repo"),
                "-Dportainer.version=" + System.getProperty("portainer.version"),
                "-Dportainer.mesosMaster=" + MESOS_MASTER));
        Optional<Path> cluster = clusterSettings();
        if (cluster.isPresent()) {
            // Global settings, so that a test's own -s settings.xml still applies; a test that names another
            // server (its own embedded Mesos) comes later on the command line and wins.
            command.addAll(List.of("-gs", cluster.get().toString(), "-Dportainer.mesosServerId=" + CLUSTER_SERVER_ID));
        }
        if (settings != null) {
            command.add("-s");
            command.add(settings.toString());
        }
        command.addAll(Arrays.asList(args));
        if (console == Console.TERMINAL_INTERACTIVE) {
            command.remove("-B");
        }
        if (console != Console.FILE) {
            // script runs the command on a pseudo-terminal of its own and copies what it prints to its stdout.
            // Its window is 0x0 unless told otherwise; a developer's is some columns wide.
            String line = "stty cols " + TERMINAL_COLUMNS + " rows 40 && "
                    + String.join(" ", command.stream().map(MavenRun::shellQuoted).toList());
            command = new ArrayList<>(List.of("script", "-qec", line, "/dev/null"));
        }
        ProcessBuilder builder = new ProcessBuilder(command).directory(project.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().keySet().removeAll(removed);
        builder.environment().putAll(environment);
        builder.environment().put(RUN_VARIABLE, runId);
        return builder.start();
    }

    /** A global settings.xml with the cluster's framework credential, when the suite runs on a cluster that has one. */
    private static synchronized Optional<Path> clusterSettings() throws IOException {
        Optional<MesosApi.Credential> credential = MesosApi.suiteCredential();
        if (MESOS_MASTER.equals("local") || credential.isEmpty()) {
            return Optional.empty();
        }
        Path settings = Path.of(System.getProperty("portainer.it.work")).resolve("cluster-settings.xml");
        Files.createDirectories(settings.getParent());
        Files.writeString(settings, "<settings><servers><server><id>" + CLUSTER_SERVER_ID + "</id><username>"
                + xml(credential.get().principal()) + "</username><password>" + xml(credential.get().secret())
                + "</password></server></servers></settings>\n", StandardCharsets.UTF_8);
        return Optional.of(settings);
    }

    private static String shellQuoted(String word) {
        return "'" + word.replace("'", "'\\''") + "'";
    }

    private static String xml(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}

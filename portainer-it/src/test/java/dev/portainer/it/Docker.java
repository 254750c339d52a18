package dev.portainer.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The docker CLI, to check from outside what the builds produced. */
final class Docker {
    /** What a docker command printed. */
    record Result(int exitCode, String output) {
    }

    private Docker() {
    }

    static Result run(String... args) throws IOException, InterruptedException {
        return run(new ProcessBuilder(), args);
    }

    /**
     * {@code docker build <args>} with the legacy builder ({@code DOCKER_BUILDKIT=0}), the one the daemon's build
     * API runs and so the one Portainer's builds are compared with, started in {@code workingDirectory} (the CLI
     * resolves {@code -f} and the context from there).
     */
    static Result legacyBuild(Path workingDirectory, String... args) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder().directory(workingDirectory.toFile());
        builder.environment().put("DOCKER_BUILDKIT", "0");
        List<String> command = new ArrayList<>(List.of("build"));
        command.addAll(Arrays.asList(args));
        return run(builder, command.toArray(String[]::new));
    }

    private static Result run(ProcessBuilder builder, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add("docker");
        command.addAll(Arrays.asList(args));
        Process process = builder.command(command).redirectErrorStream(true).start();
        byte[] out = process.getInputStream().readAllBytes();
        if (!process.waitFor(5, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError("docker " + String.join(" ", args) + " did not finish");
        }
        return new Result(process.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    static String ok(String... args) throws IOException, InterruptedException {
        Result result = run(args);
        if (result.exitCode() != 0) {
            throw new AssertionError("docker " + String.join(" ", args) + " failed: " + result.output());
        }
        return result.output();
    }
}

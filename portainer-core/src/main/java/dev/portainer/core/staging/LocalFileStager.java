package dev.portainer.core.staging;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Staging for the embedded single-node Mesos, whose agent runs on this machine as this user: the context and the
 * executor jar are handed to its fetcher by path ({@code file://}, which Mesos's fetcher copies and the embedded one
 * hard-links when it can), so nothing is read back over HTTP; the one-time registry secret is still served by an
 * {@link HttpStager} and never touches the agent's disk.
 */
public final class LocalFileStager implements Stager {
    private final HttpStager secrets;

    public LocalFileStager(HttpStager secrets) {
        this.secrets = Objects.requireNonNull(secrets, "secrets");
    }

    @Override
    public StagedFile stageBuildFile(Path file, String fileName) {
        return byPath(file, fileName);
    }

    /** Yes: by path, on this machine. */
    @Override
    public boolean executorReadsDirectly() {
        return true;
    }

    @Override
    public StagedFile stageSharedFile(Path file, String fileName, String sha256) {
        return byPath(file, fileName);
    }

    @Override
    public StagedSecret stageSecret(byte[] bytes, String fileName) {
        return secrets.stageSecret(bytes, fileName);
    }

    private static StagedFile byPath(Path file, String fileName) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("not a file: " + file);
        }
        return new StagedFile(file.toAbsolutePath().normalize().toUri(), fileName);
    }

    /** The files stay where they are (the build removes its packed context); the secret is forgotten. */
    @Override
    public void close() {
        secrets.close();
    }
}

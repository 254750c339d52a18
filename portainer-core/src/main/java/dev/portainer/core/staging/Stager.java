package dev.portainer.core.staging;

import java.nio.file.Path;

/**
 * Puts the build's files where the agents' fetcher can read them, for the length of one build.
 * Closing removes everything staged for the build; shared content-addressed files (the executor jar) may stay.
 */
public interface Stager extends AutoCloseable {

    /** Stages a file used only by this build (the context); it is removed on {@link #close()}. */
    StagedFile stageBuildFile(Path file, String fileName) throws StagingException;

    /**
     * Stages a build file whose content hash is known; a stager may then skip an upload it already made within this
     * build.
     */
    default StagedFile stageBuildFile(Path file, String fileName, String sha256) throws StagingException {
        return stageBuildFile(file, fileName);
    }

    /**
     * Stages a file shared by builds, named by its content hash so that an unchanged file is never uploaded
     * twice (the executor jar).
     */
    StagedFile stageSharedFile(Path file, String fileName, String sha256) throws StagingException;

    /**
     * Stages a small secret for this build only (the sealed registry credentials): readable by no-one else, gone
     * when the build ends. See security.md for why each stager delivers it the way it does.
     */
    StagedSecret stageSecret(byte[] bytes, String fileName) throws StagingException;

    /**
     * Whether an executor can get a staged build file itself from its URI, without the Mesos fetcher: by path
     * ({@code file:}) or with one plain GET. An executor that runs several tasks needs that, since Mesos fetches only
     * when an executor starts. False by default: a staging reached through a Hadoop client or a redirecting gateway.
     */
    default boolean executorReadsDirectly() {
        return false;
    }

    /**
     * Whether this stager can serve a file while it is still being written ({@link #stageGrowingFile}): the agents
     * then get a context while it is packed. False by default.
     */
    default boolean servesWhileWritten() {
        return false;
    }

    /**
     * Stages a build file still being written as {@code <file>.part}, renamed to {@code file} once whole (a context
     * being packed), for an executor that reads it itself as it grows ({@code BuildSpec.contextGrowing}).
     *
     * @throws UnsupportedOperationException unless {@link #servesWhileWritten()}
     */
    default StagedFile stageGrowingFile(Path file, String fileName) throws StagingException {
        throw new UnsupportedOperationException("this staging serves complete files only");
    }

    /** Removes what this build staged; never throws, problems are reported to the given sink. */
    @Override
    void close();
}

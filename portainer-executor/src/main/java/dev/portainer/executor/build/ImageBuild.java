package dev.portainer.executor.build;

/** One build of one image, as the executor runs it: {@link #run} blocks on a worker thread, {@link #cancel} stops it. */
public interface ImageBuild {
    /**
     * Builds, tags and (if asked) pushes the image, streaming its output to {@code log}.
     *
     * @throws ImageBuildException  when Docker refused or failed the build or push; carries Docker's own words
     * @throws InterruptedException when the worker thread was interrupted
     */
    ImageBuildResult run(BuildLog log) throws ImageBuildException, InterruptedException;

    /** Stops a running build or push as soon as possible; safe to call from any thread, and more than once. */
    void cancel();
}

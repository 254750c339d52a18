package dev.portainer.core.scheduler;

import dev.portainer.wire.TaskResult;

/** The image build itself failed (bad Dockerfile, failing RUN step, push refused): the message is Docker's text. */
public final class BuildFailedException extends BuildException {
    private final transient TaskResult result;

    public BuildFailedException(String taskName, TaskResult result) {
        super("The build of " + taskName + " failed: " + result.error(), null);
        this.result = result;
    }

    /** The executor's report, whose {@code error} is Docker's own error text. */
    public TaskResult result() {
        return result;
    }

    /** Whether the image was built and its push failed (as the executor says, never guessed from the text). */
    public boolean failedInPush() {
        return result.stage() == TaskResult.Stage.PUSH;
    }

    /** Docker's error text, verbatim. */
    public String dockerError() {
        return result.error();
    }
}

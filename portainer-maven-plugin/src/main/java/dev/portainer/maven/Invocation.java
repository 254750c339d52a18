package dev.portainer.maven;

/**
 * How Maven runs the goal this time, which decides the defaults and the skip rules.
 *
 * @param projectPresent whether there is a pom (false for {@code mvn …:build} in a directory without one)
 * @param reactorSize    how many projects the reactor builds
 * @param offline        Maven's offline mode ({@code -o})
 */
record Invocation(boolean projectPresent, int reactorSize, boolean offline) {

    /**
     * In a multi-module reactor the goal runs in every module, most of which (parents, libraries) have no image to
     * build: those are skipped. A single project, or a run without a pom, was asked for an image, so a missing
     * Dockerfile is an error there.
     */
    boolean skipsWithoutDockerfile() {
        return projectPresent && reactorSize > 1;
    }
}

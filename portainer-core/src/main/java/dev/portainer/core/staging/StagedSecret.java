package dev.portainer.core.staging;

import java.net.URI;

/**
 * A small secret staged for one build, and how the executor gets it.
 *
 * @param uri        where it is
 * @param fileName   its name in the sandbox when the fetcher brings it
 * @param viaFetcher true: give {@code uri} to the Mesos fetcher, which puts the file in the sandbox (the executor
 *                   deletes it after reading); false: {@code uri} is a one-time URL the executor GETs itself, so the
 *                   secret never touches the agent's disk and is never in the task's fetcher URIs
 */
public record StagedSecret(URI uri, String fileName, boolean viaFetcher) {
}

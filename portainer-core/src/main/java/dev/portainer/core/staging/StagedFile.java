package dev.portainer.core.staging;

import java.net.URI;

/**
 * A file put where the agents' Mesos fetcher can read it.
 *
 * @param uri      what to give the fetcher
 * @param fileName the name the file must have in the sandbox
 */
public record StagedFile(URI uri, String fileName) {
}

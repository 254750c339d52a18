package dev.portainer.core.staging;

import java.net.URI;

/**
 * A file put where the agents' Mesos fetcher can read it.
 *
 * @param uri       what to give the fetcher
 * @param fileName  the name the file must have in the sandbox
 * @param immutable whether the URI names these very bytes for good (content-addressed, and left staged after the
 *                  build): then the agents may keep it in their fetcher cache and fetch it once, not per build
 */
public record StagedFile(URI uri, String fileName, boolean immutable) {
    /** A file staged for this build only, or at a name that other contents may take: never cached. */
    public StagedFile(URI uri, String fileName) {
        this(uri, fileName, false);
    }
}

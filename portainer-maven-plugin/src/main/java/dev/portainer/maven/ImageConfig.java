package dev.portainer.maven;

import java.io.File;
import java.util.List;
import java.util.Map;

/**
 * One element of {@code <images>}: an image of a several-image build. Every field left unset falls back to the
 * top-level parameter of the same name; {@code buildArgs} and {@code labels} are merged over the top-level ones
 * (an element's entry wins on the same key). Maven fills it from the pom, so its fields are plain and mutable.
 */
public class ImageConfig {
    /** The repository to build, e.g. {@code registry:5000/team/api}; unset: the Dockerfile's REPOSITORY. */
    String image;
    /** The tags; unset: the top-level {@code <tags>}, else the project's version. */
    List<String> tags;
    /** The build context; a relative path is the project directory's. Unset: the top-level one. */
    File contextDirectory;
    /** The Dockerfile, found as the top-level {@code <dockerfile>} (relative to the context, else to the project
     * directory, or absolute). Unset: the top-level one. */
    String dockerfile;
    /** Fill in Maven's {@code ${…}} in this element's Dockerfile; unset: the top-level {@code <filterDockerfile>}. */
    Boolean filterDockerfile;
    Double buildCpu;
    Double buildMem;
    Map<String, String> buildArgs;
    String target;
    Map<String, String> labels;
    Boolean noCache;
    Boolean pull;
    String network;
    List<String> extraHosts;
    String shmSize;
    List<String> cacheFrom;
    String platform;

    @Override
    public String toString() {
        return "image " + (image == null ? "(from its Dockerfile)" : image);
    }
}

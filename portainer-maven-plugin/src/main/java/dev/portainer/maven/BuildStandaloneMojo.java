package dev.portainer.maven;

import org.apache.maven.plugins.annotations.Mojo;

/**
 * Builds and pushes the Docker image of a directory without a pom, like the original Portainer command line:
 * {@code mvn dev.portainer:portainer-maven-plugin:0.1.0-SNAPSHOT:build-standalone -Dportainer.image=registry:5000/team/app}
 * builds the current directory (or {@code -Dportainer.contextDirectory=…}); tags default to {@code latest}. It takes
 * the same parameters as {@code build}. In a project, use {@code build}: this goal runs only once per reactor.
 */
@Mojo(name = "build-standalone", threadSafe = true, requiresProject = false)
public class BuildStandaloneMojo extends BuildMojo {
}

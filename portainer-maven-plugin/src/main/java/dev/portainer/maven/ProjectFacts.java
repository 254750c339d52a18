package dev.portainer.maven;

import java.nio.file.Path;
import org.apache.maven.execution.MavenSession;
import org.apache.maven.project.MavenProject;
import org.apache.maven.settings.Settings;

/**
 * What the configuration's defaults depend on, read from Maven's project and session: so that
 * {@link BuildPlanReader} can be tested without Maven.
 *
 * @param invocation       how Maven runs the goal (pom or not, reactor size, offline)
 * @param projectDirectory the project's directory, or the current directory without a pom
 * @param artifactId       the default repository name; null without a pom
 * @param version          the default tag; null without a pom
 * @param buildDirectory   the project's build directory ({@code target}); null without a pom
 * @param outputTimestamp  {@code project.build.outputTimestamp}, or null
 * @param settings         Maven's settings (servers for credentials), or null
 * @param userName         the user running Maven, the executor's default user
 */
record ProjectFacts(Invocation invocation, Path projectDirectory, String artifactId, String version,
                    Path buildDirectory, String outputTimestamp, Settings settings, String userName) {

    static ProjectFacts of(MavenProject project, MavenSession session, String outputTimestamp) {
        Invocation invocation = new Invocation(session.getRequest().isProjectPresent(),
                session.getProjects() == null ? 1 : session.getProjects().size(), session.isOffline());
        Path directory = (project.getBasedir() != null ? project.getBasedir().toPath()
                : Path.of(session.getRequest().getBaseDirectory())).toAbsolutePath().normalize();
        boolean pom = invocation.projectPresent();
        return new ProjectFacts(invocation, directory, pom ? project.getArtifactId() : null,
                pom ? project.getVersion() : null, pom ? Path.of(project.getBuild().getDirectory()) : null,
                outputTimestamp, session.getSettings(), System.getProperty("user.name"));
    }
}

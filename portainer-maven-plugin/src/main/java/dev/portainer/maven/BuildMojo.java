package dev.portainer.maven;

import dev.portainer.core.build.BuildRequest;
import dev.portainer.core.build.BuildResult;
import dev.portainer.core.build.BuildResultFiles;
import dev.portainer.core.build.FrameworkSettings;
import dev.portainer.core.build.ImageBuild;
import dev.portainer.core.build.ImageRef;
import dev.portainer.core.context.ContextException;
import dev.portainer.core.scheduler.BuildException;
import dev.portainer.core.scheduler.BuildFailedException;
import dev.portainer.core.scheduler.ClusterException;
import dev.portainer.core.staging.StagingException;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import org.apache.maven.execution.MavenSession;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.project.MavenProject;

/**
 * Builds the module's Docker image on an Apache Mesos cluster and pushes it: packs the build context (with
 * {@code .dockerignore} applied as Docker does), stages it where the agents can fetch it, runs a Mesos scheduler
 * in this JVM, and streams the executor's Docker build log into the Maven log. The build fails when the Docker
 * build or the push fails, with Docker's own message.
 * <p>
 * In a multi-module reactor, a module without a Dockerfile (an aggregator, a library jar) is skipped with one info
 * line, so the goal can be bound in a parent pom. Run on its own, a project without a Dockerfile fails the build.
 * The goal also runs without a pom, like the original Portainer command line:
 * {@code mvn dev.portainer:portainer-maven-plugin:0.1.0-SNAPSHOT:build -Dportainer.image=registry:5000/team/app}
 * builds the current directory. Every parameter can be given in the pom or as a {@code -Dportainer.*} property.
 */
@Mojo(name = "build", defaultPhase = LifecyclePhase.PACKAGE, threadSafe = true, requiresProject = false)
public class BuildMojo extends AbstractMojo {

    /**
     * The Mesos master: {@code local} for an embedded single-node Mesos in this JVM (needs a Docker daemon here),
     * {@code host:port} or {@code http(s)://host:port} for a real master, e.g.
     * {@code -Dportainer.mesosMaster=mesos-master.example.com:5050}. A real master cannot be used in Maven offline
     * mode ({@code -o}); {@code local} can.
     */
    @Parameter(property = "portainer.mesosMaster", defaultValue = "local")
    private String mesosMaster;

    /**
     * The repository to build and push, with the registry host (and port) if any, without a tag, e.g.
     * {@code registry.example.com:5000/team/app}; Docker's naming rules apply (lower case). Default: the project's
     * artifactId (which pushes to Docker Hub's {@code library/}, so set it). Required when running without a pom.
     */
    @Parameter(property = "portainer.image")
    private String image;

    /**
     * The tags to build and push; the first is the one the build reports. In the pom:
     * {@code <tags><tag>${project.version}</tag><tag>latest</tag></tags>}; as a property, comma-separated:
     * {@code -Dportainer.tags=1.0,latest}. Default: the project's version, or {@code latest} without a pom.
     */
    @Parameter(property = "portainer.tags")
    private List<String> tags;

    /**
     * The Docker build context: the directory whose files (minus those its {@code .dockerignore} excludes) are sent
     * to the build, e.g. {@code ${project.basedir}/src/main/docker}. Default: the project's directory, or the
     * current directory without a pom.
     */
    @Parameter(property = "portainer.contextDirectory", defaultValue = "${project.basedir}")
    private File contextDirectory;

    /**
     * The Dockerfile, relative to the context directory, e.g. {@code docker/Dockerfile.release}. When it does not
     * exist, a module of a multi-module reactor is skipped and a single project fails.
     */
    @Parameter(property = "portainer.dockerfile", defaultValue = "Dockerfile")
    private String dockerfile;

    /**
     * Push every tag to the registry after the build. {@code false} builds and tags the image on the agent's Docker
     * daemon only (useful with {@code local}); see also {@code skipPush}.
     */
    @Parameter(property = "portainer.push", defaultValue = "true")
    private boolean push;

    /** CPUs the build task asks Mesos for (more than 0, e.g. {@code 0.5}); the offer must have this many. */
    @Parameter(property = "portainer.buildCpu", defaultValue = "1")
    private double buildCpu;

    /** Memory in MB the build task asks Mesos for (at least 32, e.g. {@code 2048} for a Java build stage). */
    @Parameter(property = "portainer.buildMem", defaultValue = "512")
    private double buildMem;

    /**
     * Where to stage the build context for the agents: a Hadoop filesystem URI ({@code hdfs://}, {@code file://},
     * …). Unset: the files are served over HTTP from this JVM for the length of the build.
     */
    @Parameter(property = "portainer.stagingUri")
    private String stagingUri;

    /**
     * Extra Hadoop configuration for staging on a Hadoop filesystem, pom only, e.g.
     * {@code <hadoopProperties><dfs.client.use.datanode.hostname>true</dfs.client.use.datanode.hostname></hadoopProperties>}.
     */
    @Parameter
    private Map<String, String> hadoopProperties;

    /**
     * The Docker daemon the executor uses on the agent. Unset: the agent's {@code DOCKER_HOST}, else
     * {@code unix:///var/run/docker.sock}.
     */
    @Parameter(property = "portainer.dockerHost")
    private String dockerHost;

    /**
     * How long to wait for a Mesos offer with enough cpus and memory before failing, as an ISO-8601 duration
     * ({@code PT5M} = 5 minutes, {@code PT30S} = 30 seconds).
     */
    @Parameter(property = "portainer.offerTimeout", defaultValue = "PT5M")
    private String offerTimeout;

    /** The framework name shown in the Mesos UI, e.g. {@code portainer-ci}. */
    @Parameter(property = "portainer.frameworkName", defaultValue = "portainer")
    private String frameworkName;

    /**
     * The Unix user the executor runs as on the agent (it must exist there and may use the Docker daemon).
     * Default: the user running Maven.
     */
    @Parameter(property = "portainer.user")
    private String user;

    /** Skip the goal: nothing is packed, staged or built ({@code -Dportainer.skip}). */
    @Parameter(property = "portainer.skip", defaultValue = "false")
    private boolean skip;

    /**
     * Build and tag the image but do not push it ({@code -Dportainer.skipPush}), e.g. for a pull-request build;
     * the result files then have no digest. Overrides {@code push}.
     */
    @Parameter(property = "portainer.skipPush", defaultValue = "false")
    private boolean skipPush;

    @Parameter(defaultValue = "${project}", readonly = true, required = true)
    private MavenProject project;

    @Parameter(defaultValue = "${session}", readonly = true, required = true)
    private MavenSession session;

    /**
     * Where the build writes the executor jar, its staged files and its results ({@code <image>.id},
     * {@code .digest}, {@code .json}). Default: {@code target/portainer}; without a pom, {@code target/portainer}
     * in the context directory. The context packer never packs it.
     */
    @Parameter(property = "portainer.workDirectory")
    private File workDirectory;

    @Override
    public void execute() throws MojoExecutionException, MojoFailureException {
        if (skip) {
            getLog().info("Skipping portainer:build (portainer.skip=true)");
            return;
        }
        Invocation invocation = new Invocation(session.getRequest().isProjectPresent(),
                session.getProjects() == null ? 1 : session.getProjects().size(), session.isOffline());
        Path dockerfilePath = contextDirectory().resolve(dockerfile == null ? "Dockerfile" : dockerfile);
        if (invocation.skipsWithoutDockerfile() && !Files.isRegularFile(dockerfilePath)) {
            getLog().info("Skipping portainer:build for " + project.getArtifactId() + ": no Dockerfile at "
                    + dockerfilePath);
            return;
        }
        if (invocation.offline() && !"local".equals(master())) {
            throw new MojoFailureException("Maven is offline (-o) but mesosMaster is " + master() + ", a remote "
                    + "Mesos cluster that needs the network; build online, or use -Dportainer.mesosMaster=local "
                    + "to build on this machine's Docker daemon");
        }
        BuildRequest request = readConfiguration(invocation);
        MavenBuildListener listener = new MavenBuildListener(getLog(), request.image().name());
        try {
            BuildResult result = ImageBuild.run(request, listener, LocalMesosLauncher.INSTANCE);
            BuildResultFiles.Written written = BuildResultFiles.write(request.workDirectory(), result);
            project.getProperties().setProperty("portainer.image", result.image().name() + ":" + result.tags().get(0));
            project.getProperties().setProperty("portainer.image.id", result.imageId());
            if (result.digest() != null) {
                project.getProperties().setProperty("portainer.image.digest", result.digest());
            }
            getLog().info("Built " + result.image().name() + " " + String.join(", ", result.tags()) + ": "
                    + result.imageId() + (result.digest() == null ? " (not pushed)" : ", pushed " + result.digest()));
            getLog().info("Wrote " + written.json());
        } catch (BuildFailedException e) {
            throw new MojoFailureException("Docker build of " + request.primaryReference() + " failed: "
                    + e.getMessage(), e);
        } catch (ContextException e) {
            throw new MojoFailureException(e.getMessage(), e);
        } catch (ClusterException | StagingException e) {
            throw new MojoExecutionException(e.getMessage(), e);
        } catch (BuildException e) {
            throw new MojoExecutionException(e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MojoExecutionException("portainer:build was interrupted; the build was cancelled", e);
        }
    }

    private BuildRequest readConfiguration(Invocation invocation)
            throws MojoFailureException, MojoExecutionException {
        Path context = contextDirectory();
        Path work = workDirectory != null ? workDirectory.toPath().toAbsolutePath()
                : invocation.projectPresent() ? Path.of(project.getBuild().getDirectory(), "portainer").toAbsolutePath()
                : context.resolve("target").resolve("portainer");
        try {
            String imageName = image == null || image.isBlank() ? null : image.trim();
            if (imageName == null) {
                if (!invocation.projectPresent()) {
                    throw new IllegalArgumentException("No image to build: without a pom, give the repository "
                            + "with -Dportainer.image=registry:5000/team/app");
                }
                imageName = project.getArtifactId();
            }
            ImageRef ref = ImageRef.parse(imageName);
            List<String> cleanTags = tags == null ? List.of() : tags.stream().map(String::trim)
                    .filter(t -> !t.isEmpty()).toList();
            if (cleanTags.isEmpty()) {
                cleanTags = List.of(invocation.projectPresent() ? project.getVersion() : "latest");
            }
            Duration waitForOffer = parseDuration(offerTimeout, "offerTimeout");
            URI staging = stagingUri == null || stagingUri.isBlank() ? null : URI.create(stagingUri.trim());
            FrameworkSettings framework = new FrameworkSettings(frameworkName,
                    user == null || user.isBlank() ? System.getProperty("user.name") : user, "*", Duration.ofMinutes(1));
            Path executorJar = ExecutorJar.extractTo(work);
            return new BuildRequest(context, dockerfile, ref, cleanTags, push && !skipPush, buildCpu, buildMem,
                    master(), staging,
                    hadoopProperties == null ? Map.of() : hadoopProperties,
                    dockerHost == null || dockerHost.isBlank() ? null : dockerHost.trim(), work, executorJar,
                    framework, waitForOffer);
        } catch (IllegalArgumentException e) {
            throw new MojoFailureException(e.getMessage(), e);
        } catch (IOException e) {
            throw new MojoExecutionException("Cannot prepare " + work + ": " + e.getMessage(), e);
        }
    }

    private String master() {
        return mesosMaster == null || mesosMaster.isBlank() ? "local" : mesosMaster.trim();
    }

    private Path contextDirectory() {
        File dir = contextDirectory != null ? contextDirectory : project.getBasedir() != null ? project.getBasedir()
                : new File(session.getRequest().getBaseDirectory());
        return dir.toPath().toAbsolutePath().normalize();
    }

    private static Duration parseDuration(String value, String name) {
        try {
            return Duration.parse(value.trim());
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("Invalid " + name + " '" + value + "': use an ISO-8601 duration such "
                    + "as PT5M or PT30S; fix <" + name + "> (portainer." + name + ")");
        }
    }
}

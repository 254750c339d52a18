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
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
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
 */
@Mojo(name = "build", defaultPhase = LifecyclePhase.PACKAGE, threadSafe = true)
public class BuildMojo extends AbstractMojo {

    /**
     * The Mesos master: {@code local} for an embedded single-node Mesos in this JVM (needs a Docker daemon here),
     * {@code host:port} or {@code http(s)://host:port} for a real master.
     */
    @Parameter(property = "portainer.mesosMaster", defaultValue = "local")
    private String mesosMaster;

    /** The repository to build, with the registry host (and port) if any, e.g. {@code registry:5000/team/app}. */
    @Parameter(property = "portainer.image", defaultValue = "${project.artifactId}")
    private String image;

    /** The tags to build and push (comma-separated as a property). */
    @Parameter(property = "portainer.tags", defaultValue = "${project.version}")
    private List<String> tags;

    /** The Docker build context. */
    @Parameter(property = "portainer.contextDirectory", defaultValue = "${project.basedir}")
    private File contextDirectory;

    /** The Dockerfile, relative to the context directory. */
    @Parameter(property = "portainer.dockerfile", defaultValue = "Dockerfile")
    private String dockerfile;

    /** Push every tag after the build. */
    @Parameter(property = "portainer.push", defaultValue = "true")
    private boolean push;

    /** CPUs the build task asks Mesos for. */
    @Parameter(property = "portainer.buildCpu", defaultValue = "1")
    private double buildCpu;

    /** Memory in MB the build task asks Mesos for. */
    @Parameter(property = "portainer.buildMem", defaultValue = "512")
    private double buildMem;

    /**
     * Where to stage the build context for the agents: a Hadoop filesystem URI, e.g.
     * {@code hdfs://namenode:8020/user/ci/portainer}, {@code webhdfs://namenode:9870/…}, {@code file:///shared/…},
     * or {@code s3a://bucket/prefix} once {@code org.apache.hadoop:hadoop-aws} (same version as Portainer's Hadoop
     * client, 3.4.2) is added to this plugin's {@code <dependencies>} in the pom. The executor jar is kept under
     * {@code executors/<sha256>.jar} and uploaded once; the context goes to {@code builds/<random id>/}, readable
     * by you only (0600/0700), and is removed when the build ends. Unset: the files are served over HTTP from this
     * JVM for the length of the build.
     */
    @Parameter(property = "portainer.stagingUri")
    private String stagingUri;

    /** Extra Hadoop configuration for staging (e.g. {@code dfs.client.use.datanode.hostname}). */
    @Parameter
    private Map<String, String> hadoopProperties;

    /**
     * A Hadoop configuration directory whose {@code core-site.xml} and {@code hdfs-site.xml} apply to staging
     * (HA nameservices, Kerberos: {@code hadoop.security.authentication=kerberos} logs in from your ticket cache, so
     * run {@code kinit} first). Unset: {@code HADOOP_CONF_DIR}, if set.
     */
    @Parameter(property = "portainer.hadoopConfDir")
    private File hadoopConfDir;

    /**
     * How the agents fetch files staged on a Hadoop filesystem. {@code auto}: over WebHDFS (HTTP, no Hadoop client
     * needed on the agents) for {@code hdfs://} and {@code webhdfs://} staging, at the namenode's
     * {@code dfs.namenode.http-address}; the staging URI itself for other schemes. {@code hadoop}: always the
     * staging URI, which the agents' Mesos fetcher copies with {@code hadoop fs -copyToLocal} (a Hadoop client
     * on every agent). {@code http(s)://host:port}: a WebHDFS or HttpFS endpoint to use (needed for HA
     * nameservices). WebHDFS URLs carry {@code user.name=<you>} (or, with Kerberos, a delegation token cancelled
     * when the build ends): anyone who sees the task's URIs in Mesos can read the context for the length of the
     * build, so use {@code hadoop} on clusters where that matters.
     */
    @Parameter(property = "portainer.fetchUriBase", defaultValue = "auto")
    private String fetchUriBase;

    /**
     * The Docker daemon the executor uses on the agent. Unset: the agent's {@code DOCKER_HOST}, else
     * {@code unix:///var/run/docker.sock}.
     */
    @Parameter(property = "portainer.dockerHost")
    private String dockerHost;

    /** How long to wait for a Mesos offer with enough cpus and memory (ISO-8601 duration). */
    @Parameter(property = "portainer.offerTimeout", defaultValue = "PT5M")
    private String offerTimeout;

    /** The framework name shown in the Mesos UI. */
    @Parameter(property = "portainer.frameworkName", defaultValue = "portainer")
    private String frameworkName;

    /** The user the executor runs as on the agent; unset: the user running Maven. */
    @Parameter(property = "portainer.user")
    private String user;

    /** Skip the goal. */
    @Parameter(property = "portainer.skip", defaultValue = "false")
    private boolean skip;

    @Parameter(defaultValue = "${project}", readonly = true, required = true)
    private MavenProject project;

    @Parameter(defaultValue = "${project.build.directory}/portainer", readonly = true, required = true)
    private File workDirectory;

    @Override
    public void execute() throws MojoExecutionException, MojoFailureException {
        if (skip) {
            getLog().info("Skipping portainer:build (portainer.skip=true)");
            return;
        }
        BuildRequest request = readConfiguration();
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

    private BuildRequest readConfiguration() throws MojoFailureException, MojoExecutionException {
        Path work = workDirectory.toPath().toAbsolutePath();
        try {
            ImageRef ref = ImageRef.parse(image);
            List<String> cleanTags = tags == null ? List.of() : tags.stream().map(String::trim)
                    .filter(t -> !t.isEmpty()).toList();
            Duration waitForOffer = parseDuration(offerTimeout, "offerTimeout");
            URI staging = stagingUri == null || stagingUri.isBlank() ? null : URI.create(stagingUri.trim());
            FrameworkSettings framework = new FrameworkSettings(frameworkName,
                    user == null || user.isBlank() ? System.getProperty("user.name") : user, "*", Duration.ofMinutes(1));
            Path context = contextDirectory.toPath().toAbsolutePath().normalize();
            Path executorJar = ExecutorJar.extractTo(work);
            return new BuildRequest(context, dockerfile, ref, cleanTags, push, buildCpu, buildMem,
                    mesosMaster == null ? "local" : mesosMaster.trim(), staging,
                    hadoopProperties == null ? Map.of() : hadoopProperties,
                    dockerHost == null || dockerHost.isBlank() ? null : dockerHost.trim(), work, executorJar,
                    framework, waitForOffer,
                    hadoopConfDir == null ? null : hadoopConfDir.toPath().toAbsolutePath(), fetchUriBase);
        } catch (IllegalArgumentException e) {
            throw new MojoFailureException(e.getMessage(), e);
        } catch (IOException e) {
            throw new MojoExecutionException("Cannot prepare " + work + ": " + e.getMessage(), e);
        }
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

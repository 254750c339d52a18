package dev.portainer.maven;

import dev.portainer.core.auth.AuthFailureHint;
import dev.portainer.core.auth.CredentialsException;
import dev.portainer.core.auth.CredentialsResolver;
import dev.portainer.core.auth.DockerConfigCredentials;
import dev.portainer.core.auth.Registries;
import dev.portainer.core.auth.RegistryAuth;
import dev.portainer.core.build.BuildRequest;
import dev.portainer.core.build.BuildResult;
import dev.portainer.core.build.BuildResultFiles;
import dev.portainer.core.build.EagerLocalMaster;
import dev.portainer.core.build.ExecutorJarFile;
import dev.portainer.core.build.LocalMaster;
import dev.portainer.core.build.DockerSettings;
import dev.portainer.core.build.DockerfileDefaults;
import dev.portainer.core.build.FrameworkSettings;
import dev.portainer.core.build.ImageBuild;
import dev.portainer.core.build.ImageOutcome;
import dev.portainer.core.build.ImageRef;
import dev.portainer.core.build.MesosAccess;
import dev.portainer.core.context.ContextException;
import dev.portainer.core.context.ContextPacker;
import dev.portainer.core.context.DockerfileLocation;
import dev.portainer.core.scheduler.AgentConstraint;
import dev.portainer.core.scheduler.BuildCancelledException;
import dev.portainer.core.scheduler.BuildException;
import dev.portainer.core.scheduler.BuildFailedException;
import dev.portainer.core.scheduler.ClusterException;
import dev.portainer.core.mesos.scheduler.MesosCredential;
import dev.portainer.core.mesos.scheduler.MesosMaster;
import dev.portainer.core.scheduler.OfferTimeoutException;
import dev.portainer.core.scheduler.SchedulerConfig;
import dev.portainer.core.mesos.scheduler.TrustedCertificates;
import dev.portainer.core.mesos.scheduler.ZooKeeperAddress;
import dev.portainer.core.staging.StagingException;
import dev.portainer.core.wire.BuildOptions;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import javax.inject.Inject;
import org.apache.maven.execution.MavenSession;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.project.MavenProject;
import org.apache.maven.settings.crypto.SettingsDecrypter;

/**
 * Builds the module's Docker image on an Apache Mesos cluster and pushes it: packs the build context (with
 * {@code .dockerignore} applied as Docker does), stages it where the agents can fetch it, runs a Mesos scheduler
 * in this JVM, and streams the executor's Docker build log into the Maven log. The build fails when the Docker
 * build or the push fails, with Docker's own message.
 * <p>
 * In a multi-module reactor, a module without a Dockerfile (an aggregator, a library jar) is skipped with one info
 * line, so the goal can be bound in a parent pom. Run on its own, a project without a Dockerfile fails the build.
 * To build without a pom, like the original Portainer command line, use the {@code build-standalone} goal.
 * Every parameter can be given in the pom or as a {@code -Dportainer.*} property.
 * <p>
 * Several images of one module are listed under {@code <images>} (see that parameter): they are built in parallel
 * in one Mesos framework, and the build fails if any of them fails, after a summary of every image.
 */
// requiresProject stays true: Maven runs a goal that needs no project only once per reactor when it is typed on
// the command line, so `mvn package portainer:build` would skip every module but the first.
@Mojo(name = "build", defaultPhase = LifecyclePhase.PACKAGE, threadSafe = true)
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
     * The repository to build, with the registry host (and port) if any, e.g. {@code registry:5000/team/app}.
     * Unset: the Dockerfile's {@code REGISTRY}/{@code REPOSITORY} instructions (Dockerfiles written for the
     * original Portainer), else the artifactId. When set it wins over those instructions. Docker's naming rules
     * apply (lower case). Required when running without a pom (unless the Dockerfile names it).
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
     * The Dockerfile ({@code docker build -f}), e.g. {@code docker/Dockerfile.release}: a path relative to the
     * context directory, or else to the project directory, or an absolute one. When both the context and the project
     * directory have a file of that name, the context's wins (with a warning). Unset: {@code Dockerfile} in the
     * context, or a lower-case {@code dockerfile} when there is none, as the Docker CLI looks. A symbolic link is
     * followed; a Dockerfile outside the context is sent along with it, as {@code docker build -f} does. When there
     * is no Dockerfile, a module of a multi-module reactor is skipped and a single project fails.
     */
    @Parameter(property = "portainer.dockerfile")
    private String dockerfile;

    /**
     * Pack the build context reproducibly: every file, directory and link gets the same time,
     * {@code project.build.outputTimestamp} when the project sets it (Maven's reproducible-builds convention), else
     * 1970-01-01T00:00:01Z, so that equal trees give byte-equal contexts wherever they were checked out. Off by
     * default: {@code docker build} sends each file's own modification time, and so does Portainer. Docker's layer
     * cache does not depend on the times, but the files' times inside the image do.
     */
    @Parameter(property = "portainer.reproducible", defaultValue = "false")
    private boolean reproducible;

    /** The project's {@code project.build.outputTimestamp}, the time of a reproducible context. */
    @Parameter(defaultValue = "${project.build.outputTimestamp}", readonly = true)
    private String outputTimestamp;

    /**
     * Push every tag to the registry after the build. {@code false} builds and tags the image on the agent's Docker
     * daemon only (useful with {@code local}); see also {@code skipPush}.
     */
    @Parameter(property = "portainer.push", defaultValue = "true")
    private boolean push;

    /**
     * CPUs the build task asks Mesos for (more than 0, e.g. {@code 0.5}). Unset: the Dockerfile's {@code BUILD_CPU} instruction, else 1. (No Maven
     * default on purpose: a value is "set" only when the user gives one, so that the Dockerfile's can apply.)
     */
    @Parameter(property = "portainer.buildCpu")
    private Double buildCpu;

    /** Memory in MB the build task asks Mesos for (at least 32, e.g. {@code 2048}). Unset: the Dockerfile's {@code BUILD_MEM} instruction, else 512. */
    @Parameter(property = "portainer.buildMem")
    private Double buildMem;

    /**
     * Build args ({@code docker build --build-arg}). An empty element ({@code <EMPTY></EMPTY>}) is the empty value,
     * as {@code --build-arg EMPTY=} gives it.
     */
    @Parameter
    private Map<String, String> buildArgs;

    /**
     * Build args as {@code K=V,K2=V2} ({@code -Dportainer.buildArgs=…}); merged with {@code <buildArgs>}, winning on
     * the same name (a command line overrides the pom); {@code EMPTY=} is the empty value. A bare name is refused:
     * Docker's CLI would take its value from its environment, but the build runs on a Mesos agent, not in this JVM.
     * Values with commas go in {@code <buildArgs>}.
     */
    @Parameter(property = "portainer.buildArgs")
    private String buildArgsList;

    /** The stage of a multi-stage Dockerfile to build ({@code --target}); unset: the last. */
    @Parameter(property = "portainer.target")
    private String target;

    /** Labels to set on the image ({@code --label}). */
    @Parameter
    private Map<String, String> labels;

    /** Labels as {@code K=V,K2=V2}; merged with {@code <labels>}, winning on the same key. */
    @Parameter(property = "portainer.labels")
    private String labelsList;

    /** Build without Docker's layer cache ({@code --no-cache}). */
    @Parameter(property = "portainer.noCache", defaultValue = "false")
    private boolean noCache;

    /** Always pull base images, even when the agent's daemon has them ({@code --pull}). */
    @Parameter(property = "portainer.pull", defaultValue = "false")
    private boolean pull;

    /** The network RUN steps use ({@code --network}: {@code bridge}, {@code host}, {@code none}, a network name). */
    @Parameter(property = "portainer.network")
    private String network;

    /** Extra {@code /etc/hosts} entries for RUN steps, {@code host:ip} ({@code --add-host}). */
    @Parameter(property = "portainer.extraHosts")
    private List<String> extraHosts;

    /** Size of /dev/shm for RUN steps ({@code --shm-size}), e.g. {@code 256m}. */
    @Parameter(property = "portainer.shmSize")
    private String shmSize;

    /** Images the daemon may use as cache sources ({@code --cache-from}). */
    @Parameter(property = "portainer.cacheFrom")
    private List<String> cacheFrom;

    /**
     * The platform to build for ({@code --platform}, e.g. {@code linux/arm64}); needs Docker 17.07 (API 1.32) on
     * the agents. It selects the base images' variant; RUN steps of another architecture need qemu on the agent.
     */
    @Parameter(property = "portainer.platform")
    private String platform;

    /**
     * A registry ({@code host[:port]}) to pull base images from: {@code FROM} images without a registry host (and
     * {@code COPY --from=image}) are rewritten to come from it, e.g. {@code FROM ubuntu:22.04} becomes
     * {@code FROM mirror:5000/ubuntu:22.04}. Build stages, {@code scratch} and images that name their registry are
     * left alone. Only the packed copy of the Dockerfile changes.
     */
    @Parameter(property = "portainer.pullRegistry")
    private String pullRegistry;

    /**
     * Registries reached over plain HTTP. They are given to the Docker daemon that Portainer starts itself
     * ({@code containerImage}); the agents' own daemon must list them in {@code /etc/docker/daemon.json}
     * ({@code "insecure-registries": ["host:5000"]}) and be restarted, as Portainer cannot change it.
     */
    @Parameter(property = "portainer.insecureRegistries")
    private List<String> insecureRegistries;

    /**
     * Docker-in-Docker: run the executor in this image through the agent's Docker containerizer (privileged, host
     * network) with its own {@code dockerd}, whose data lives in the task's sandbox. The image needs a Java 17
     * runtime ({@code java} on the PATH or {@code JAVA_HOME}), {@code dockerd}, {@code containerd} and {@code runc};
     * agents need {@code --containerizers=docker,mesos}. Unset: the executor uses the agent's daemon.
     */
    @Parameter(property = "portainer.containerImage")
    private String containerImage;

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

    /**
     * Extra Hadoop configuration for staging on a Hadoop filesystem, pom only, e.g.
     * {@code <hadoopProperties><dfs.client.use.datanode.hostname>true</dfs.client.use.datanode.hostname></hadoopProperties>}.
     */
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

    /**
     * How long to wait for a Mesos offer with enough cpus and memory before failing, as an ISO-8601 duration
     * ({@code PT5M} = 5 minutes, {@code PT30S} = 30 seconds).
     */
    @Parameter(property = "portainer.offerTimeout", defaultValue = "PT5M")
    private String offerTimeout;

    /**
     * How long the build may run on the cluster, from the launch of its task to its end: fetching, starting the
     * executor, building and pushing (ISO-8601 duration, e.g. {@code PT20M}); when exceeded the task is killed and
     * the build fails. Each retry (see {@code retries}) gets it anew; the wait for an offer has {@code offerTimeout}.
     * The default is generous for image builds (the long ones, compiling a toolchain or an ML framework from source,
     * take about an hour) and ends a build that hangs (a RUN step waiting on the network, an executor that never
     * starts) instead of holding the cluster and the CI job forever; raise it for longer builds.
     */
    @Parameter(property = "portainer.timeout", defaultValue = "PT2H")
    private String timeout;

    /**
     * The Mesos role whose resources the build uses ({@code *}: unreserved resources). On a shared cluster, ask the
     * operators for a role with a quota or reservation.
     */
    @Parameter(property = "portainer.role", defaultValue = "*")
    private String role;

    /**
     * Agent attributes the build requires, each {@code name:value} (comma-separated as a property), e.g.
     * {@code rack:us-east-1a} or {@code docker:true}: only agents started with {@code --attributes} that match all of
     * them host the build.
     */
    @Parameter(property = "portainer.constraints")
    private List<String> constraints;

    /**
     * How many times to relaunch a build task that the cluster failed before the build could run or report: the
     * executor could not be fetched or started, died, or its agent was lost. Each retry is a new task, on another
     * agent when one offers (on a single-agent cluster such as {@code local}, on the same one). A build that failed
     * on the Dockerfile is never retried.
     */
    @Parameter(property = "portainer.retries", defaultValue = "2")
    private int retries;

    /**
     * The Mesos principal to authenticate the framework as (HTTP Basic), for a master started with
     * {@code --authenticate_http_frameworks}; its secret is the {@code <password>} of the settings.xml
     * {@code <server>} named by {@code mesosServerId}. Unset: that server's {@code <username>}, if any.
     */
    @Parameter(property = "portainer.principal")
    private String principal;

    /**
     * The id of the settings.xml {@code <server>} holding the Mesos framework secret as its {@code <password>}
     * (encrypted passwords work as for deploy). Unset: the framework does not authenticate.
     */
    @Parameter(property = "portainer.mesosServerId")
    private String mesosServerId;

    /**
     * For an {@code https://} master whose certificate is signed by a private CA: a PEM file with that CA's
     * certificate, trusted instead of the JVM's trust store. Unset: the JVM's trust store (which
     * {@code -Djavax.net.ssl.trustStore} in {@code MAVEN_OPTS} can replace).
     */
    @Parameter(property = "portainer.mesosCaCertificate")
    private File mesosCaCertificate;

    /** The framework name shown in the Mesos UI, e.g. {@code portainer-ci}. */
    @Parameter(property = "portainer.frameworkName", defaultValue = "portainer")
    private String frameworkName;

    /**
     * The Unix user the executor runs as on the agent (it must exist there and may use the Docker daemon).
     * Default: the user running Maven.
     */
    @Parameter(property = "portainer.user")
    private String user;

    /**
     * How long a real Mesos master waits for this build to reconnect (Mesos's {@code FrameworkInfo.failover_timeout},
     * ISO-8601 duration) before it removes the framework and kills its builds; also how long the build keeps trying
     * to reconnect after losing the master. It is what ends the builds of a Maven that was killed ({@code kill -9},
     * the OOM killer, a cancelled CI job): they stop at most this long after Maven is gone, so they do not finish and
     * push unattended. The default outlasts a network blip and a master failover (a leader elected within
     * ZooKeeper's 10 s session timeout); raise it where failovers take longer. With {@code mesosMaster=local} the
     * embedded Mesos dies with Maven and its executors stop at once.
     */
    @Parameter(property = "portainer.failoverTimeout", defaultValue = "PT30S")
    private String failoverTimeout;

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

    /** Registry credentials come from the session's settings, never from parameters (which -X prints). */
    @Parameter(defaultValue = "${session}", readonly = true, required = true)
    private MavenSession session;

    /** Maven's own decrypter, so settings-security.xml works exactly as for deploy. */
    @Inject
    private SettingsDecrypter settingsDecrypter;

    /**
     * Where the build writes the executor jar, its staged files and its results ({@code <image>.id},
     * {@code .digest}, {@code .json}). Default: {@code target/portainer}; without a pom, {@code target/portainer}
     * in the context directory. The context packer never packs it.
     */
    @Parameter(property = "portainer.workDirectory")
    private File workDirectory;

    /**
     * Several images in one run, each an {@code <image>} element with its own {@code image}, {@code tags},
     * {@code contextDirectory} (relative to the project directory), {@code dockerfile}, {@code buildCpu},
     * {@code buildMem} and build options ({@code buildArgs}, {@code target}, {@code labels}, {@code noCache},
     * {@code pull}, {@code network}, {@code extraHosts}, {@code shmSize}, {@code cacheFrom}, {@code platform}). What
     * an element leaves unset falls back to the top-level parameter of the same name ({@code buildArgs} and
     * {@code labels} are merged, the element winning on the same key); everything else (master, staging, push,
     * credentials, timeouts, retries, constraints) is shared. The top-level {@code image} must then be unset.
     * <p>
     * All contexts are packed and staged first, then every build is queued at once in one Mesos framework and
     * launched in parallel on every offer that fits, several on one agent when it has room. Each image's log lines
     * carry its name; the summary lists each image with its digest (or error) and time. One failed image fails the
     * build once the others have finished (see {@code failFast}); each image's result goes to
     * {@code target/portainer/<image>.json}, and the project gets {@code portainer.image.<n>},
     * {@code portainer.image.<n>.id} and {@code portainer.image.<n>.digest} for the n-th element (from 0).
     */
    @Parameter
    private List<ImageConfig> images;

    /**
     * With {@code <images>}: when one image fails, kill the other builds at once instead of letting them finish
     * ({@code -Dportainer.failFast}).
     */
    @Parameter(property = "portainer.failFast", defaultValue = "false")
    private boolean failFast;

    @Override
    public void execute() throws MojoExecutionException, MojoFailureException {
        if (skip) {
            getLog().info("Skipping portainer:build (portainer.skip=true)");
            return;
        }
        Invocation invocation = new Invocation(session.getRequest().isProjectPresent(),
                session.getProjects() == null ? 1 : session.getProjects().size(), session.isOffline());
        if (images != null && !images.isEmpty()) {
            try (EagerLocalMaster local = startLocalMaster()) {
                executeSeveral(invocation, local);
            }
            return;
        }
        if (invocation.skipsWithoutDockerfile()) {
            try {
                DockerfileLocation.find(contextDirectory(), projectDirectory(), dockerfile);
            } catch (ContextException e) {
                getLog().info("Skipping portainer:build for " + project.getArtifactId() + ": no Dockerfile at "
                        + contextDirectory().resolve(dockerfile == null ? "Dockerfile" : dockerfile));
                getLog().debug(e.getMessage());
                return;
            }
        }
        if (invocation.offline() && !"local".equals(master())) {
            throw new MojoFailureException("Maven is offline (-o) but mesosMaster is " + master() + ", a remote "
                    + "Mesos cluster that needs the network; build online, or use -Dportainer.mesosMaster=local "
                    + "to build on this machine's Docker daemon");
        }
        try (EagerLocalMaster local = startLocalMaster()) {
            executeOne(invocation, local);
        }
    }

    /**
     * With {@code mesosMaster=local}, the embedded Mesos starts now, in the background, while the configuration is
     * read and the context packed; null otherwise.
     */
    private EagerLocalMaster startLocalMaster() {
        return "local".equals(master()) ? EagerLocalMaster.start(LocalMesosLauncher.INSTANCE) : null;
    }

    private void executeOne(Invocation invocation, LocalMaster.Launcher launcher)
            throws MojoExecutionException, MojoFailureException {
        BuildRequest request = readConfiguration(invocation);
        QuietZooKeeperLogging.apply();
        getLog().info("Image " + request.image() + " (cpus " + request.buildCpu() + ", mem " + request.buildMemMb()
                + " MB)");
        MavenBuildListener listener = new MavenBuildListener(getLog(), request.image().name());
        try {
            BuildResult result = ImageBuild.run(request, listener, launcher);
            BuildResultFiles.Written written = BuildResultFiles.write(request.workDirectory(), result);
            project.getProperties().setProperty("portainer.image", result.image().name() + ":" + result.tags().get(0));
            project.getProperties().setProperty("portainer.image.id", result.imageId());
            if (result.digest() != null) {
                project.getProperties().setProperty("portainer.image.digest", result.digest());
            }
            getLog().info("Built " + result.image().name() + " " + String.join(", ", result.tags()) + ": "
                    + result.imageId() + (result.digest() == null ? " (not pushed)" : ", pushed " + result.digest()));
            // Each push reports its own digest; usually all are equal, but say which reference has which.
            result.digests().forEach((tag, digest) ->
                    getLog().info("Pushed " + result.image().name() + ":" + tag + "@" + digest));
            getLog().info("Wrote " + written.json());
        } catch (BuildFailedException e) {
            String hint = authHint(e.dockerError(), request);
            throw new MojoFailureException("Docker build of " + request.primaryReference() + " failed: "
                    + e.getMessage() + (hint == null ? "" : "; " + hint), e);
        } catch (ContextException e) {
            throw new MojoFailureException(e.getMessage(), e);
        } catch (OfferTimeoutException e) {
            throw new MojoExecutionException(e.getMessage() + ". To fix: lower <buildCpu> (portainer.buildCpu) or "
                    + "<buildMem> (portainer.buildMem) to fit what the cluster offers, free resources on the cluster, "
                    + "or wait longer with <offerTimeout> (portainer.offerTimeout)", e);
        } catch (BuildCancelledException e) {
            throw new MojoExecutionException(e.getMessage(), e);
        } catch (ClusterException | StagingException e) {
            throw new MojoExecutionException(e.getMessage(), e);
        } catch (BuildException e) {
            throw new MojoExecutionException(e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MojoExecutionException("portainer:build was interrupted; the build was cancelled", e);
        }
    }

    /** The {@code <images>} form: one framework, every image in parallel, a summary, then the verdict. */
    private void executeSeveral(Invocation invocation, LocalMaster.Launcher launcher)
            throws MojoExecutionException, MojoFailureException {
        if (image != null && !image.isBlank()) {
            throw new MojoFailureException("Both <image> (" + image.trim() + ") and <images> are set: with <images>, "
                    + "name each image in its own element's <image> and remove the top-level <image> "
                    + "(portainer.image)");
        }
        if (invocation.offline() && !"local".equals(master())) {
            throw new MojoFailureException("Maven is offline (-o) but mesosMaster is " + master() + ", a remote "
                    + "Mesos cluster that needs the network; build online, or use -Dportainer.mesosMaster=local "
                    + "to build on this machine's Docker daemon");
        }
        List<BuildRequest> requests = new java.util.ArrayList<>();
        for (int i = 0; i < images.size(); i++) {
            ImageConfig element = images.get(i);
            if (element == null) {
                throw new MojoFailureException("<images> element " + i + " is empty; give it at least <image> or "
                        + "<contextDirectory>");
            }
            requests.add(readConfiguration(invocation, element, i));
        }
        java.util.Set<String> names = new java.util.HashSet<>();
        for (BuildRequest r : requests) {
            if (!names.add(r.image().name())) {
                throw new MojoFailureException("Image " + r.image().name() + " is listed twice in <images>; give "
                        + "each element its own <image>");
            }
        }
        QuietZooKeeperLogging.apply();
        java.util.Map<String, String> imageByTask = new java.util.LinkedHashMap<>();
        for (BuildRequest r : requests) {
            getLog().info("Image " + r.image() + " (cpus " + r.buildCpu() + ", mem " + r.buildMemMb() + " MB)");
            imageByTask.put(r.primaryReference(), r.image().name());
        }
        MavenBuildListener listener = new MavenBuildListener(getLog(), imageByTask);
        List<ImageOutcome> outcomes;
        try {
            outcomes = ImageBuild.runAll(requests, failFast, listener, launcher);
        } catch (ContextException e) {
            throw new MojoFailureException(e.getMessage(), e);
        } catch (BuildException | StagingException e) {
            throw new MojoExecutionException(e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MojoExecutionException("portainer:build was interrupted; the builds were cancelled", e);
        }
        getLog().info("Images built (" + outcomes.stream().filter(ImageOutcome::succeeded).count() + " of "
                + outcomes.size() + "):");
        List<String> failures = new java.util.ArrayList<>();
        boolean usersFault = false;
        Map<String, String> stems = BuildResultFiles.stems(outcomes.stream().map(o -> o.request().image()).toList());
        for (int i = 0; i < outcomes.size(); i++) {
            ImageOutcome o = outcomes.get(i);
            BuildRequest r = o.request();
            String took = String.format(java.util.Locale.ROOT, "%.1f s", o.elapsed().toMillis() / 1000.0);
            if (o.succeeded()) {
                BuildResult result = o.result();
                BuildResultFiles.write(r.workDirectory(), result, stems.get(r.image().name()));
                String n = "portainer.image." + i;
                project.getProperties().setProperty(n, result.image().name() + ":" + result.tags().get(0));
                project.getProperties().setProperty(n + ".id", result.imageId());
                if (result.digest() != null) {
                    project.getProperties().setProperty(n + ".digest", result.digest());
                }
                getLog().info("  OK     " + r.primaryReference() + "  "
                        + (result.digest() == null ? result.imageId() + " (not pushed)" : result.digest()) + "  "
                        + took);
            } else {
                String why = o.failure().getMessage();
                if (o.failure() instanceof BuildFailedException failed) {
                    usersFault = true;
                    String hint = authHint(failed.dockerError(), r);
                    // The message already says "The build of <image> failed: <Docker's error>".
                    why = why + (hint == null ? "" : "; " + hint);
                }
                getLog().error("  FAILED " + r.primaryReference() + "  " + why + "  " + took);
                failures.add(r.primaryReference() + ": " + why);
            }
        }
        if (!failures.isEmpty()) {
            String message = failures.size() + " of " + outcomes.size() + " images failed: "
                    + String.join("; ", failures);
            // A wrong Dockerfile is the user's to fix; otherwise the cluster failed us and a rerun may help.
            if (usersFault) {
                throw new MojoFailureException(message);
            }
            throw new MojoExecutionException(message);
        }
    }

    private BuildRequest readConfiguration(Invocation invocation)
            throws MojoFailureException, MojoExecutionException {
        return readConfiguration(invocation, null, -1);
    }

    /** The request for the single image ({@code element} null) or for one element of {@code <images>}. */
    private BuildRequest readConfiguration(Invocation invocation, ImageConfig element, int index)
            throws MojoFailureException, MojoExecutionException {
        ImageConfig e = element == null ? new ImageConfig() : element;
        Path context = e.contextDirectory == null ? contextDirectory()
                : project.getBasedir() != null && !e.contextDirectory.isAbsolute()
                ? project.getBasedir().toPath().resolve(e.contextDirectory.toPath()).toAbsolutePath().normalize()
                : e.contextDirectory.toPath().toAbsolutePath().normalize();
        String dockerfile = e.dockerfile != null ? e.dockerfile : this.dockerfile;
        String image = element == null ? this.image : e.image;
        List<String> tags = e.tags != null && !e.tags.isEmpty() ? e.tags : this.tags;
        Double buildCpu = e.buildCpu != null ? e.buildCpu : this.buildCpu;
        Double buildMem = e.buildMem != null ? e.buildMem : this.buildMem;
        String where = element == null ? "" : "<images> element " + index + " (" + context + "): ";
        Path work = workDirectory != null ? workDirectory.toPath().toAbsolutePath()
                : invocation.projectPresent() ? Path.of(project.getBuild().getDirectory(), "portainer").toAbsolutePath()
                : context.resolve("target").resolve("portainer");
        try {
            String imageName = image == null || image.isBlank() ? null : image.trim();
            DockerfileLocation location;
            try {
                location = DockerfileLocation.find(context, projectDirectory(), dockerfile);
            } catch (ContextException x) {
                throw new MojoFailureException(where + x.getMessage(), x);
            }
            if (location.shadowed() != null) {
                getLog().warn(where + "<dockerfile> " + dockerfile + " names " + location.file() + " in the context and "
                        + location.shadowed() + " in the project directory; using the context's. Give a path that is"
                        + " not ambiguous, e.g. an absolute one, to use the other");
            }
            String dockerfilePath = location.file().toString();
            DockerfileDefaults fromDockerfile;
            try {
                fromDockerfile = DockerfileDefaults.resolve(context, dockerfilePath, imageName,
                        invocation.projectPresent() && element == null ? project.getArtifactId() : null, buildCpu,
                        buildMem);
            } catch (IllegalArgumentException x) {
                if (imageName == null && element != null) {
                    throw new IllegalArgumentException(where + "no image to build: give the element an <image> "
                            + "(e.g. registry:5000/team/app), or a REPOSITORY instruction in its Dockerfile", x);
                }
                if (imageName == null && !invocation.projectPresent()) {
                    throw new IllegalArgumentException("No image to build: without a pom, give the repository "
                            + "with -Dportainer.image=registry:5000/team/app", x);
                }
                throw x;
            }
            fromDockerfile.notes().forEach(note -> getLog().info(note));
            ImageRef ref = fromDockerfile.image();
            BuildOptions options = new BuildOptions(
                    merged(ParameterParsing.mergeKeyValues(buildArgs, buildArgsList, "buildArgs", true),
                            e.buildArgs == null ? null : ParameterParsing.mergeKeyValues(e.buildArgs, null,
                                    "buildArgs", true)),
                    e.target != null ? e.target : target,
                    merged(ParameterParsing.mergeKeyValues(labels, labelsList, "labels", false),
                            e.labels == null ? null : ParameterParsing.mergeKeyValues(e.labels, null, "labels",
                                    false)),
                    e.noCache != null ? e.noCache : noCache, e.pull != null ? e.pull : pull,
                    e.network != null ? e.network : network,
                    clean(e.extraHosts != null ? e.extraHosts : extraHosts),
                    ParameterParsing.byteSize(e.shmSize != null ? e.shmSize : shmSize, "shmSize"),
                    clean(e.cacheFrom != null ? e.cacheFrom : cacheFrom), e.platform != null ? e.platform : platform);
            DockerSettings docker = new DockerSettings(options, pullRegistry, containerImage,
                    clean(insecureRegistries));
            List<String> cleanTags = tags == null ? List.of() : tags.stream().filter(java.util.Objects::nonNull)
                    .map(String::trim).filter(t -> !t.isEmpty()).toList();
            if (cleanTags.isEmpty() && tags != null && !tags.isEmpty()) {
                // e.g. -Dportainer.tags=, : something was meant, and it is not the default
                throw new IllegalArgumentException("portainer.tags names no tag (got " + tags.size() + " empty "
                        + (tags.size() == 1 ? "entry" : "entries") + "): give the tags, e.g. -Dportainer.tags=1.0,latest"
                        + " or <tags><tag>1.0</tag></tags>, or leave them unset for the project's version");
            }
            if (cleanTags.isEmpty()) {
                cleanTags = List.of(invocation.projectPresent() ? project.getVersion() : "latest");
            }
            Duration waitForOffer = parseDuration(offerTimeout, "offerTimeout");
            Duration buildTimeout = timeout == null || timeout.isBlank() ? SchedulerConfig.DEFAULT_BUILD_TIMEOUT
                    : parseDuration(timeout, "timeout");
            URI staging = stagingUri == null || stagingUri.isBlank() ? null : URI.create(stagingUri.trim());
            Duration failover = failoverTimeout == null || failoverTimeout.isBlank()
                    ? SchedulerConfig.DEFAULT_FAILOVER_TIMEOUT : positive(parseDuration(failoverTimeout,
                    "failoverTimeout"), "failoverTimeout");
            FrameworkSettings framework = new FrameworkSettings(frameworkName,
                    user == null || user.isBlank() ? System.getProperty("user.name") : user,
                    role == null || role.isBlank() ? "*" : role.trim(), failover);
            List<AgentConstraint> agentConstraints = constraints == null ? List.of() : constraints.stream()
                    .map(String::trim).filter(c -> !c.isEmpty()).map(AgentConstraint::parse).toList();
            ExecutorJarFile executorJar = ExecutorJar.extract(work);
            boolean pushing = push && !skipPush;
            RegistryAuth credentials = credentialsResolver().resolve(pushing ? Registries.of(ref.name()) : null,
                    pullRegistries(context, dockerfilePath));
            return BuildRequest.builder(context, ref, cleanTags)
                    .dockerfile(dockerfilePath)
                    .reproducible(reproducible ? reproducibleTime() : null)
                    .push(pushing)
                    .resources(fromDockerfile.buildCpu(), fromDockerfile.buildMemMb())
                    .mesosMaster(master())
                    .staging(staging, hadoopProperties == null ? Map.of() : hadoopProperties)
                    .dockerHost(dockerHost == null || dockerHost.isBlank() ? null : dockerHost.trim())
                    .work(work, executorJar)
                    .framework(framework)
                    .offerTimeout(waitForOffer)
                    .timeout(buildTimeout)
                    .constraints(agentConstraints)
                    .docker(docker)
                    .credentials(credentials)
                    .retries(retries)
                    .mesosAccess(mesosAccess())
                    .hadoop(hadoopConfDir == null ? null : hadoopConfDir.toPath().toAbsolutePath(), fetchUriBase)
                    .build();
        } catch (IllegalArgumentException | CredentialsException x) {
            String message = x.getMessage();
            throw new MojoFailureException(message.startsWith(where) ? message : where + message, x);
        } catch (IOException x) {
            throw new MojoExecutionException("Cannot prepare " + work + ": " + x.getMessage(), x);
        }
    }

    /** The top-level map with an element's entries over it; null when both are. */
    private static Map<String, String> merged(Map<String, String> top, Map<String, String> element) {
        if (element == null) {
            return top;
        }
        Map<String, String> all = new java.util.LinkedHashMap<>(top == null ? Map.of() : top);
        all.putAll(element);
        return all;
    }

    /** How to reach the master; a wrong address, CA file or settings server fails here, before anything runs. */
    private MesosAccess mesosAccess() throws MojoFailureException {
        String address = master();
        if (!MesosMaster.isLocal(address)) {
            if (ZooKeeperAddress.isZooKeeper(address)) {
                ZooKeeperAddress.parse(address);
            } else {
                MesosMaster.parse(address);
            }
        }
        MesosCredential credential = MesosSettingsCredential.resolve(principal, mesosServerId,
                session == null ? null : session.getSettings(), settingsDecrypter);
        Path ca = mesosCaCertificate == null ? null : mesosCaCertificate.toPath().toAbsolutePath();
        if (ca != null) {
            // Read now, so that a wrong file fails before anything is packed or started.
            TrustedCertificates.fromPem(ca);
        }
        return new MesosAccess(credential, ca);
    }

    private static List<String> clean(List<String> values) {
        return values == null ? List.of() : values.stream().map(String::trim).filter(v -> !v.isEmpty()).toList();
    }

    /** settings.xml first, then the Docker CLI's config on this machine (read only when settings.xml has nothing). */
    private CredentialsResolver credentialsResolver() {
        Map<String, String> environment = System.getenv();
        Path home = Path.of(System.getProperty("user.home"));
        return new CredentialsResolver(List.of(
                new MavenSettingsCredentials(session == null ? null : session.getSettings(), settingsDecrypter),
                registry -> DockerConfigCredentials.load(environment, home).find(registry)));
    }

    /** The registries the Dockerfile's FROM lines pull from; none if it cannot be read (packing reports that). */
    private List<String> pullRegistries(Path context, String dockerfile) {
        try {
            return Registries.pulledBy(Files.readAllLines(context.resolve(dockerfile == null ? "Dockerfile"
                    : dockerfile), StandardCharsets.UTF_8));
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }

    /** A fix for a registry's refusal, naming the registry and where the credentials came from; or null. */
    private String authHint(String dockerError, BuildRequest request) {
        if (dockerError == null || !AuthFailureHint.isAuthFailure(dockerError)) {
            return null;
        }
        String pushRegistry = Registries.of(request.image().name());
        if (dockerError.startsWith("Pushing ")) {
            return AuthFailureHint.forRegistry(dockerError, pushRegistry, request.credentials().push());
        }
        for (String registry : pullRegistries(request.contextDirectory(), request.dockerfile())) {
            if (dockerError.contains(registry)) {
                return AuthFailureHint.forRegistry(dockerError, registry, request.credentials().pull().get(registry));
            }
        }
        return null;
    }

    private String master() {
        return mesosMaster == null || mesosMaster.isBlank() ? "local" : mesosMaster.trim();
    }

    /** Where a relative {@code <dockerfile>} is also looked for: the project's directory, or the current one. */
    private Path projectDirectory() {
        File dir = project.getBasedir() != null ? project.getBasedir() : new File(session.getRequest().getBaseDirectory());
        return dir.toPath().toAbsolutePath().normalize();
    }

    /** {@code project.build.outputTimestamp} as Maven's archivers read it (ISO-8601 or epoch seconds), else 1 s. */
    private Instant reproducibleTime() throws MojoFailureException {
        String value = outputTimestamp == null ? "" : outputTimestamp.trim();
        // Maven's convention: a single character (e.g. "a") means "not set", to override an inherited value.
        if (value.length() < 2) {
            return ContextPacker.REPRODUCIBLE_TIME;
        }
        try {
            if (value.chars().allMatch(Character::isDigit)) {
                return Instant.ofEpochSecond(Long.parseLong(value));
            }
            return java.time.OffsetDateTime.parse(value).toInstant();
        } catch (RuntimeException e) {
            throw new MojoFailureException("project.build.outputTimestamp '" + value + "' is not an ISO-8601 time"
                    + " (e.g. 2024-01-01T00:00:00Z) nor seconds since the epoch: fix it, or build without"
                    + " <reproducible> (portainer.reproducible)", e);
        }
    }

    private Path contextDirectory() {
        File dir = contextDirectory != null ? contextDirectory : project.getBasedir() != null ? project.getBasedir()
                : new File(session.getRequest().getBaseDirectory());
        return dir.toPath().toAbsolutePath().normalize();
    }

    private static Duration positive(Duration value, String name) {
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, got " + value + "; fix <" + name
                    + "> (portainer." + name + ")");
        }
        return value;
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

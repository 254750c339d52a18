package dev.portainer.maven;

import dev.portainer.core.auth.CredentialsException;
import dev.portainer.core.auth.CredentialsResolver;
import dev.portainer.core.context.ContextException;
import dev.portainer.core.context.DockerfileLocation;
import java.io.File;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.inject.Inject;
import org.apache.maven.execution.MavenSession;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoExecution;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.project.MavenProject;
import org.apache.maven.settings.crypto.SettingsDecrypter;

/**
 * The parameters of the build goals, as the pom and {@code -Dportainer.*} properties give them, before any default
 * or check: {@link BuildPlanReader} turns them into what core builds. Maven injects them here; the site's
 * parameter reference is generated from this Javadoc.
 */
abstract class BuildParameters extends AbstractMojo {

    /**
     * The Mesos master: {@code local} for an embedded single-node Mesos in this JVM (needs a Docker daemon here),
     * {@code host:port} or {@code http(s)://host:port} for a real master, e.g.
     * {@code -Dportainer.mesosMaster=mesos-master.example.com:5050}. A real master cannot be used in Maven offline
     * mode ({@code -o}); {@code local} can.
     */
    @Parameter(property = "portainer.mesosMaster", defaultValue = "local")
    String mesosMaster;

    /**
     * The repository to build, with the registry host (and port) if any, e.g. {@code registry:5000/team/app}.
     * Unset: the Dockerfile's {@code REGISTRY}/{@code REPOSITORY} instructions (Dockerfiles written for the
     * original Portainer), else the artifactId. When set it wins over those instructions. Docker's naming rules
     * apply (lower case). Required when running without a pom (unless the Dockerfile names it).
     */
    @Parameter(property = "portainer.image")
    String image;

    // HTML rather than {@code}: the descriptor's Javadoc reader ends {@code} at the first '}', which garbled
    // ${project.version} in portainer:help and the site.
    /**
     * The tags to build and push; the first is the one the build reports. In the pom:
     * <code>&lt;tags&gt;&lt;tag&gt;${project.version}&lt;/tag&gt;&lt;tag&gt;latest&lt;/tag&gt;&lt;/tags&gt;</code>; as a
     * property, comma-separated: {@code -Dportainer.tags=1.0,latest}. Default: the project's version, or
     * {@code latest} without a pom.
     */
    @Parameter(property = "portainer.tags")
    List<String> tags;

    /**
     * The Docker build context: the directory whose files (minus those its {@code .dockerignore} excludes) are sent
     * to the build, e.g. <code>${project.basedir}/src/main/docker</code>. Default: the project's directory, or the
     * current directory without a pom.
     */
    @Parameter(property = "portainer.contextDirectory", defaultValue = "${project.basedir}")
    File contextDirectory;

    /**
     * The Dockerfile ({@code docker build -f}), e.g. {@code docker/Dockerfile.release}: a path relative to the
     * context directory, or else to the project directory, or an absolute one. When both the context and the project
     * directory have a file of that name, the context's wins (with a warning). Unset: {@code Dockerfile} in the
     * context, or a lower-case {@code dockerfile} when there is none, as the Docker CLI looks. A symbolic link is
     * followed; a Dockerfile outside the context is sent along with it, as {@code docker build -f} does. When there
     * is no Dockerfile, a module of a multi-module reactor is skipped and a single project fails.
     */
    @Parameter(property = "portainer.dockerfile")
    String dockerfile;

    /**
     * Fill in Maven's <code>${…}</code> references in the Dockerfile before Docker reads it, e.g.
     * <code>COPY target/${project.build.finalName}.jar /app.jar</code>: the project's values
     * (<code>${project.artifactId}</code>, <code>${project.version}</code>, <code>${basedir}</code>, any
     * <code>${project.…}</code> a pom can use), then user properties (<code>-Dname=value</code>), the project's
     * properties and system properties (<code>${env.NAME}</code> for the environment), in the order a pom resolves
     * them. A <code>${NAME}</code> that none of these knows is Docker's own variable and stays as written, and so does
     * one behind the Dockerfile's escape character (<code>\${…}</code>, Docker's literal <code>$</code>). Only what
     * Docker gets changes, never the file; the log names each reference filled in. An unknown
     * <code>${project.…}</code> fails the build (it is a typo: Docker cannot read it either). Registry credentials
     * from the environment are never filled in.
     */
    @Parameter(property = "portainer.filterDockerfile", defaultValue = "false")
    boolean filterDockerfile;

    /**
     * Pack the build context reproducibly: every file, directory and link gets the same time,
     * {@code project.build.outputTimestamp} when the project sets it (Maven's reproducible-builds convention), else
     * 1970-01-01T00:00:01Z, so that equal trees give byte-equal contexts wherever they were checked out. Off by
     * default: {@code docker build} sends each file's own modification time, and so does Portainer. Docker's layer
     * cache does not depend on the times, but the files' times inside the image do.
     */
    @Parameter(property = "portainer.reproducible", defaultValue = "false")
    boolean reproducible;

    /** The project's {@code project.build.outputTimestamp}, the time of a reproducible context. */
    @Parameter(defaultValue = "${project.build.outputTimestamp}", readonly = true)
    String outputTimestamp;

    /**
     * Push every tag to the registry after the build. {@code false} builds and tags the image on the agent's Docker
     * daemon only (useful with {@code local}); see also {@code skipPush}.
     */
    @Parameter(property = "portainer.push", defaultValue = "true")
    boolean push;

    // No Maven default on purpose: a value is "set" only when the user gives one, so that the Dockerfile's can apply.
    /**
     * CPUs the build task asks Mesos for (more than 0, e.g. {@code 0.5}). Unset: the Dockerfile's {@code BUILD_CPU}
     * instruction, else 1.
     */
    @Parameter(property = "portainer.buildCpu")
    Double buildCpu;

    /**
     * Memory in MB the build task asks Mesos for (at least 32, e.g. {@code 2048}). Unset: the Dockerfile's
     * {@code BUILD_MEM} instruction, else 512.
     */
    @Parameter(property = "portainer.buildMem")
    Double buildMem;

    /**
     * Build args ({@code docker build --build-arg}). An empty element ({@code <EMPTY></EMPTY>}) is the empty value,
     * as {@code --build-arg EMPTY=} gives it.
     */
    @Parameter
    Map<String, String> buildArgs;

    /**
     * Build args as {@code K=V,K2=V2} ({@code -Dportainer.buildArgs=…}); merged with {@code <buildArgs>}, winning on
     * the same name (a command line overrides the pom); {@code EMPTY=} is the empty value. A bare name is refused:
     * Docker's CLI would take its value from its environment, but the build runs on a Mesos agent, not in this JVM.
     * Values with commas go in {@code <buildArgs>}.
     */
    @Parameter(property = "portainer.buildArgs")
    String buildArgsList;

    /** The stage of a multi-stage Dockerfile to build ({@code --target}); unset: the last. */
    @Parameter(property = "portainer.target")
    String target;

    /** Labels to set on the image ({@code --label}). */
    @Parameter
    Map<String, String> labels;

    /** Labels as {@code K=V,K2=V2}; merged with {@code <labels>}, winning on the same key. */
    @Parameter(property = "portainer.labels")
    String labelsList;

    /** Build without Docker's layer cache ({@code --no-cache}). */
    @Parameter(property = "portainer.noCache", defaultValue = "false")
    boolean noCache;

    /** Always pull base images, even when the agent's daemon has them ({@code --pull}). */
    @Parameter(property = "portainer.pull", defaultValue = "false")
    boolean pull;

    /** The network RUN steps use ({@code --network}: {@code bridge}, {@code host}, {@code none}, a network name). */
    @Parameter(property = "portainer.network")
    String network;

    /** Extra {@code /etc/hosts} entries for RUN steps, {@code host:ip} ({@code --add-host}). */
    @Parameter(property = "portainer.extraHosts")
    List<String> extraHosts;

    /** Size of /dev/shm for RUN steps ({@code --shm-size}), e.g. {@code 256m}. */
    @Parameter(property = "portainer.shmSize")
    String shmSize;

    /** Images the daemon may use as cache sources ({@code --cache-from}). */
    @Parameter(property = "portainer.cacheFrom")
    List<String> cacheFrom;

    /**
     * The platform to build for ({@code --platform}, e.g. {@code linux/arm64}); needs Docker 17.07 (API 1.32) on
     * the agents. It selects the base images' variant; RUN steps of another architecture need qemu on the agent.
     */
    @Parameter(property = "portainer.platform")
    String platform;

    /**
     * A registry ({@code host[:port]}) to pull base images from: {@code FROM} images without a registry host (and
     * {@code COPY --from=image}) are rewritten to come from it, e.g. {@code FROM ubuntu:22.04} becomes
     * {@code FROM mirror:5000/ubuntu:22.04}. Build stages, {@code scratch} and images that name their registry are
     * left alone. Only the packed copy of the Dockerfile changes.
     */
    @Parameter(property = "portainer.pullRegistry")
    String pullRegistry;

    /**
     * Registries reached over plain HTTP. They are given to the Docker daemon that Portainer starts itself
     * ({@code containerImage}); the agents' own daemon must list them in {@code /etc/docker/daemon.json}
     * ({@code "insecure-registries": ["host:5000"]}) and be restarted, as Portainer cannot change it.
     */
    @Parameter(property = "portainer.insecureRegistries")
    List<String> insecureRegistries;

    /**
     * Docker-in-Docker: run the executor in this image through the agent's Docker containerizer (privileged, host
     * network) with its own {@code dockerd}, whose data lives in the task's sandbox. The image needs a Java 17
     * runtime ({@code java} on the PATH or {@code JAVA_HOME}), {@code dockerd}, {@code containerd} and {@code runc};
     * agents need {@code --containerizers=docker,mesos}. Unset: the executor uses the agent's daemon.
     */
    @Parameter(property = "portainer.containerImage")
    String containerImage;

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
    String stagingUri;

    /**
     * The port this JVM serves the build context and the executor jar on when {@code stagingUri} is unset and the
     * master is a remote one: open it to the agents in your firewall. If it is taken (another build on this machine),
     * the next free one of the 16 from it is used. With a port set, the executor jar's URL stays the same from build
     * to build (it is named by its SHA-256), so the agents' Mesos fetcher cache keeps it: each agent downloads an
     * unchanged jar once. 0: any free port, and the jar is downloaded by every build.
     */
    @Parameter(property = "portainer.stagingPort", defaultValue = "0")
    int stagingPort;

    /**
     * Extra Hadoop configuration for staging on a Hadoop filesystem, pom only, e.g.
     * {@code <hadoopProperties><dfs.client.use.datanode.hostname>true</dfs.client.use.datanode.hostname></hadoopProperties>}.
     */
    @Parameter
    Map<String, String> hadoopProperties;

    /**
     * A Hadoop configuration directory whose {@code core-site.xml} and {@code hdfs-site.xml} apply to staging
     * (HA nameservices, Kerberos: {@code hadoop.security.authentication=kerberos} logs in from your ticket cache, so
     * run {@code kinit} first). Unset: {@code HADOOP_CONF_DIR}, if set.
     */
    @Parameter(property = "portainer.hadoopConfDir")
    File hadoopConfDir;

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
    String fetchUriBase;

    /**
     * The Docker daemon the executor uses on the agent. Unset: the agent's {@code DOCKER_HOST}, else
     * {@code unix:///var/run/docker.sock}.
     */
    @Parameter(property = "portainer.dockerHost")
    String dockerHost;

    /**
     * How long to wait for a Mesos offer with enough cpus and memory before failing, as an ISO-8601 duration
     * ({@code PT5M} = 5 minutes, {@code PT30S} = 30 seconds).
     */
    @Parameter(property = "portainer.offerTimeout", defaultValue = "PT5M")
    String offerTimeout;

    /**
     * How long the build may run on the cluster, from the launch of its task to its end: fetching, starting the
     * executor, building and pushing (ISO-8601 duration, e.g. {@code PT20M}); when exceeded the task is killed and
     * the build fails. Each retry (see {@code retries}) gets it anew; the wait for an offer has {@code offerTimeout}.
     * The default is generous for image builds (the long ones, compiling a toolchain or an ML framework from source,
     * take about an hour) and ends a build that hangs (a RUN step waiting on the network, an executor that never
     * starts) instead of holding the cluster and the CI job forever; raise it for longer builds.
     */
    @Parameter(property = "portainer.timeout", defaultValue = "PT2H")
    String timeout;

    /**
     * The Mesos role whose resources the build uses ({@code *}: unreserved resources). On a shared cluster, ask the
     * operators for a role with a quota or reservation.
     */
    @Parameter(property = "portainer.role", defaultValue = "*")
    String role;

    /**
     * Agent attributes the build requires, each {@code name:value} (comma-separated as a property), e.g.
     * {@code rack:us-east-1a} or {@code docker:true}: only agents started with {@code --attributes} that match all of
     * them host the build.
     */
    @Parameter(property = "portainer.constraints")
    List<String> constraints;

    /**
     * How many times to relaunch a build task that the cluster failed before the build could run or report: the
     * executor could not be fetched or started, died, or its agent was lost. Each retry is a new task, on another
     * agent when one offers (on a single-agent cluster such as {@code local}, on the same one). A build that failed
     * on the Dockerfile is never retried.
     */
    @Parameter(property = "portainer.retries", defaultValue = "2")
    int retries;

    /**
     * The Mesos principal to authenticate the framework as (HTTP Basic), for a master started with
     * {@code --authenticate_http_frameworks}; its secret is the {@code <password>} of the settings.xml
     * {@code <server>} named by {@code mesosServerId}. Unset: that server's {@code <username>}, if any.
     */
    @Parameter(property = "portainer.principal")
    String principal;

    /**
     * The id of the settings.xml {@code <server>} holding the Mesos framework secret as its {@code <password>}
     * (encrypted passwords work as for deploy). Unset: the framework does not authenticate.
     */
    @Parameter(property = "portainer.mesosServerId")
    String mesosServerId;

    /**
     * For an {@code https://} master whose certificate is signed by a private CA: a PEM file with that CA's
     * certificate, trusted instead of the JVM's trust store. Unset: the JVM's trust store (which
     * {@code -Djavax.net.ssl.trustStore} in {@code MAVEN_OPTS} can replace).
     */
    @Parameter(property = "portainer.mesosCaCertificate")
    File mesosCaCertificate;

    /** The framework name shown in the Mesos UI, e.g. {@code portainer-ci}. */
    @Parameter(property = "portainer.frameworkName", defaultValue = "portainer")
    String frameworkName;

    /**
     * The Unix user the executor runs as on the agent (it must exist there and may use the Docker daemon).
     * Default: the user running Maven.
     */
    @Parameter(property = "portainer.user")
    String user;

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
    String failoverTimeout;

    /** Skip the goal: nothing is packed, staged or built ({@code -Dportainer.skip}). */
    @Parameter(property = "portainer.skip", defaultValue = "false")
    boolean skip;

    /**
     * Build and tag the image but do not push it ({@code -Dportainer.skipPush}), e.g. for a pull-request build;
     * the result files then have no digest. Overrides {@code push}. For {@code portainer:push}, skips that goal.
     */
    @Parameter(property = "portainer.skipPush", defaultValue = "false")
    boolean skipPush;

    @Parameter(defaultValue = "${project}", readonly = true, required = true)
    MavenProject project;

    /** Registry credentials come from the session's settings, never from parameters (which -X prints). */
    @Parameter(defaultValue = "${session}", readonly = true, required = true)
    MavenSession session;

    /** For Maven's own evaluation of <code>${project.…}</code> in a filtered Dockerfile. */
    @Parameter(defaultValue = "${mojoExecution}", readonly = true, required = true)
    MojoExecution mojoExecution;

    /** Maven's own decrypter, so settings-security.xml works exactly as for deploy. */
    @Inject
    SettingsDecrypter settingsDecrypter;

    /**
     * Where the build writes the executor jar, its staged files and its results ({@code <image>.id},
     * {@code .digest}, {@code .json}). Default: {@code target/portainer}; without a pom, {@code target/portainer}
     * in the context directory. The context packer never packs it.
     */
    @Parameter(property = "portainer.workDirectory")
    File workDirectory;

    /**
     * Several images in one run, each an {@code <image>} element with its own {@code image}, {@code tags},
     * {@code contextDirectory} (relative to the project directory), {@code dockerfile}, {@code filterDockerfile},
     * {@code buildCpu}, {@code buildMem} and build options ({@code buildArgs}, {@code target}, {@code labels},
     * {@code noCache}, {@code pull}, {@code network}, {@code extraHosts}, {@code shmSize}, {@code cacheFrom},
     * {@code platform}). What an element leaves unset falls back to the top-level parameter of the same name
     * ({@code buildArgs} and {@code labels} are merged, the element winning on the same key); everything else
     * (master, staging, push, credentials, timeouts, retries, constraints) is shared. The top-level {@code image}
     * must then be unset.
     * <p>
     * All contexts are packed and staged first, then every build is queued at once in one Mesos framework and
     * launched in parallel on every offer that fits, several on one agent when it has room. Each image's log lines
     * carry its name; the summary lists each image with its digest (or error), size and time. One failed image fails
     * the build once the others have finished (see {@code failFast}); each image's result goes to
     * {@code target/portainer/<image>.json}, and the project gets {@code portainer.image.<n>},
     * {@code portainer.image.<n>.id} and {@code portainer.image.<n>.digest} for the n-th element (from 0).
     */
    @Parameter
    List<ImageConfig> images;

    /**
     * With {@code <images>}: when one image fails, kill the other builds at once instead of letting them finish
     * ({@code -Dportainer.failFast}).
     */
    @Parameter(property = "portainer.failFast", defaultValue = "false")
    boolean failFast;

    /**
     * The reader of this goal's plan, with the project's facts and the registry credentials it resolves; empty when
     * the goal skips this module: a module of a reactor without a Dockerfile (said in one line), so that
     * {@code mvn package portainer:build} over a reactor builds the modules that have one.
     */
    final Optional<BuildPlanReader> reader(String goal) throws MojoFailureException {
        ProjectFacts facts = ProjectFacts.of(project, session, mojoExecution, outputTimestamp);
        CredentialsResolver credentials;
        try {
            credentials = BuildMojo.credentialsResolver(facts.settings(), settingsDecrypter, System.getenv(),
                    Path.of(System.getProperty("user.home")));
        } catch (CredentialsException e) {
            throw MojoFailures.usersFault(e.getMessage(), e);
        }
        BuildPlanReader reader = new BuildPlanReader(this, facts, credentials, ExecutorJar::extract, getLog());
        if (!BuildPlanReader.several(this) && facts.invocation().skipsWithoutDockerfile()) {
            try {
                DockerfileLocation.find(reader.contextDirectory(), facts.projectDirectory(), dockerfile);
            } catch (ContextException e) {
                getLog().info("Skipping " + goal + " for " + project.getArtifactId() + ": no Dockerfile at "
                        + reader.contextDirectory().resolve(dockerfile == null ? "Dockerfile" : dockerfile));
                getLog().debug(e.getMessage());
                return Optional.empty();
            }
        }
        return Optional.of(reader);
    }
}

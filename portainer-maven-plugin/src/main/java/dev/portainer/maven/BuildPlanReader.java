package dev.portainer.maven;

import dev.portainer.core.auth.CredentialsException;
import dev.portainer.core.auth.CredentialsResolver;
import dev.portainer.wire.image.Registries;
import dev.portainer.wire.auth.RegistryAuth;
import dev.portainer.core.build.BuildPlan;
import dev.portainer.core.build.DockerfileDefaults;
import dev.portainer.core.build.ExecutorJarFile;
import dev.portainer.core.build.FrameworkSettings;
import dev.portainer.core.build.ImageRef;
import dev.portainer.core.build.ImageSpec;
import dev.portainer.core.build.MesosAccess;
import dev.portainer.core.build.RunSettings;
import dev.portainer.core.config.InvalidSettingException;
import dev.portainer.core.config.Message;
import dev.portainer.core.config.Setting;
import dev.portainer.core.context.ContextException;
import dev.portainer.core.context.ContextPacker;
import dev.portainer.core.context.DockerfileLocation;
import dev.portainer.core.dockerfile.PreparedDockerfile;
import dev.portainer.core.dockerfile.PropertyFilter;
import dev.portainer.core.scheduler.AgentConstraint;
import dev.portainer.core.mesos.scheduler.MesosCredential;
import dev.portainer.core.mesos.scheduler.MesosMaster;
import dev.portainer.core.scheduler.SchedulerConfig;
import dev.portainer.core.mesos.scheduler.TrustedCertificates;
import dev.portainer.core.mesos.scheduler.ZooKeeperAddress;
import dev.portainer.core.staging.HadoopStaging;
import dev.portainer.wire.BuildOptions;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugin.logging.Log;

/**
 * Maps the goal's parameters to what core builds: the run's {@link RunSettings} and one {@link ImageSpec} per image
 * (the top-level parameters are the one image, or what each {@code <images>} element falls back to). Every default,
 * every check and every Dockerfile reading of the configuration happens here, once; a wrong value fails with a
 * message that names the parameter to fix.
 */
final class BuildPlanReader {
    /** Extracts the executor jar into the work directory (or finds it there). */
    @FunctionalInterface
    interface ExecutorJarSource {
        ExecutorJarFile extract(Path workDirectory) throws IOException;
    }

    private final BuildParameters p;
    private final ProjectFacts project;
    private final CredentialsResolver credentials;
    private final ExecutorJarSource executorJar;
    private final Log log;
    /** Set by {@link #readForPush()}. */
    private boolean forPush;

    BuildPlanReader(BuildParameters parameters, ProjectFacts project, CredentialsResolver credentials,
                    ExecutorJarSource executorJar, Log log) {
        this.p = Objects.requireNonNull(parameters, "parameters");
        this.project = Objects.requireNonNull(project, "project");
        this.credentials = Objects.requireNonNull(credentials, "credentials");
        this.executorJar = Objects.requireNonNull(executorJar, "executorJar");
        this.log = Objects.requireNonNull(log, "log");
    }

    /** {@code mesosMaster} as given, {@code local} when unset. */
    static String master(BuildParameters parameters) {
        return parameters.mesosMaster == null || parameters.mesosMaster.isBlank() ? "local"
                : parameters.mesosMaster.trim();
    }

    /** What the reader knows of the project and the Maven run. */
    ProjectFacts facts() {
        return project;
    }

    /** Whether the goal lists {@code <images>}. */
    static boolean several(BuildParameters parameters) {
        return parameters.images != null && !parameters.images.isEmpty();
    }

    /**
     * The plan as {@code portainer:push} sees it: the images and settings of {@link #read()}, with the push credentials
     * resolved and {@code push} on whatever {@code push} says (e.g. {@code -Dportainer.push=false} given for the
     * build of the same run): that goal pushes.
     */
    BuildPlan readForPush() throws MojoFailureException, MojoExecutionException {
        forPush = true;
        return read();
    }

    /** The plan: the run's settings, then each image's spec. */
    BuildPlan read() throws MojoFailureException, MojoExecutionException {
        if (several(p) && p.image != null && !p.image.isBlank()) {
            throw new MojoFailureException("Both <image> (" + p.image.trim() + ") and <images> are set: with "
                    + "<images>, name each image in its own element's <image> and remove the top-level <image> "
                    + "(portainer.image)");
        }
        if (project.invocation().offline() && !"local".equals(master(p))) {
            throw new MojoFailureException("Maven is offline (-o) but mesosMaster is " + master(p) + ", a remote "
                    + "Mesos cluster that needs the network; build online, or use -Dportainer.mesosMaster=local "
                    + "to build on this machine's Docker daemon");
        }
        RunSettings settings = settings();
        List<ImageSpec> images = new ArrayList<>();
        if (!several(p)) {
            images.add(image(settings, null, -1));
        } else {
            for (int i = 0; i < p.images.size(); i++) {
                ImageConfig element = p.images.get(i);
                if (element == null) {
                    throw new MojoFailureException("<images> element " + i + " is empty; give it at least <image> or "
                            + "<contextDirectory>");
                }
                images.add(image(settings, element, i));
            }
        }
        try {
            return new BuildPlan(settings, images, several(p));
        } catch (InvalidSettingException x) {
            throw MojoFailures.usersFault(MavenSuggestions.INSTANCE.describe(x), x);
        }
    }

    /** The top-level context directory: {@code contextDirectory}, else the project's (or current) directory. */
    Path contextDirectory() {
        return p.contextDirectory != null ? p.contextDirectory.toPath().toAbsolutePath().normalize()
                : project.projectDirectory();
    }

    private RunSettings settings() throws MojoFailureException, MojoExecutionException {
        Path work = p.workDirectory != null ? p.workDirectory.toPath().toAbsolutePath()
                : project.buildDirectory() != null ? project.buildDirectory().resolve("portainer").toAbsolutePath()
                : contextDirectory().resolve("target").resolve("portainer");
        try {
            Duration buildTimeout = p.timeout == null || p.timeout.isBlank() ? SchedulerConfig.DEFAULT_BUILD_TIMEOUT
                    : parseDuration(p.timeout, Setting.TIMEOUT);
            Duration failover = p.failoverTimeout == null || p.failoverTimeout.isBlank()
                    ? SchedulerConfig.DEFAULT_FAILOVER_TIMEOUT
                    : positive(parseDuration(p.failoverTimeout, Setting.FAILOVER_TIMEOUT), Setting.FAILOVER_TIMEOUT);
            FrameworkSettings framework = new FrameworkSettings(p.frameworkName,
                    p.user == null || p.user.isBlank() ? project.userName() : p.user,
                    p.role == null || p.role.isBlank() ? "*" : p.role.trim(), failover);
            List<AgentConstraint> constraints = p.constraints == null ? List.of() : p.constraints.stream()
                    .map(String::trim).filter(c -> !c.isEmpty()).map(AgentConstraint::parse).toList();
            URI staging = p.stagingUri == null || p.stagingUri.isBlank() ? null : URI.create(p.stagingUri.trim());
            return RunSettings.builder()
                    .mesosMaster(master(p))
                    .mesosAccess(mesosAccess())
                    .framework(framework)
                    .offerTimeout(parseDuration(p.offerTimeout, Setting.OFFER_TIMEOUT))
                    .timeout(buildTimeout)
                    .retries(p.retries)
                    .constraints(constraints)
                    .failFast(p.failFast)
                    .hadoopStaging(staging == null ? null : new HadoopStaging(staging,
                            p.hadoopConfDir == null ? null : p.hadoopConfDir.toPath().toAbsolutePath(),
                            p.hadoopProperties == null ? Map.of() : p.hadoopProperties, p.fetchUriBase))
                    .stagingPort(p.stagingPort)
                    .push(forPush || p.push && !p.skipPush)
                    .dockerHost(p.dockerHost == null || p.dockerHost.isBlank() ? null : p.dockerHost.trim())
                    .pullRegistry(p.pullRegistry)
                    .containerImage(p.containerImage, clean(p.insecureRegistries))
                    .work(work, executorJar.extract(work))
                    .reproducible(p.reproducible ? reproducibleTime() : null)
                    .build();
        } catch (InvalidSettingException x) {
            throw MojoFailures.usersFault(MavenSuggestions.INSTANCE.describe(x), x);
        } catch (IOException x) {
            throw MojoFailures.systemFault("Cannot prepare " + work + ": " + x.getMessage(), x);
        }
    }

    /** The spec of the single image ({@code element} null) or of one element of {@code <images>}. */
    private ImageSpec image(RunSettings settings, ImageConfig element, int index) throws MojoFailureException {
        ImageConfig e = element == null ? new ImageConfig() : element;
        Path context = e.contextDirectory == null ? contextDirectory()
                : project.projectDirectory().resolve(e.contextDirectory.toPath()).toAbsolutePath().normalize();
        String dockerfile = e.dockerfile != null ? e.dockerfile : p.dockerfile;
        String image = element == null ? p.image : e.image;
        List<String> tags = e.tags != null && !e.tags.isEmpty() ? e.tags : p.tags;
        String where = element == null ? "" : "<images> element " + index + " (" + context + "): ";
        try {
            String imageName = image == null || image.isBlank() ? null : image.trim();
            DockerfileLocation location;
            try {
                location = DockerfileLocation.find(context, project.projectDirectory(), dockerfile);
            } catch (ContextException x) {
                throw MojoFailures.usersFault(where + MavenSuggestions.INSTANCE.describe(x), x);
            }
            if (location.shadowed() != null) {
                log.warn(where + "<dockerfile> " + dockerfile + " names " + location.file() + " in the context and "
                        + location.shadowed() + " in the project directory; using the context's. Give a path that is"
                        + " not ambiguous, e.g. an absolute one, to use the other");
            }
            BuildOptions options = options(e);
            boolean filter = e.filterDockerfile != null ? e.filterDockerfile : p.filterDockerfile;
            PreparedDockerfile prepared;
            try {
                prepared = PreparedDockerfile.read(location.file(), location.displayName(), settings.pullRegistry(),
                        options.buildArgs(), filter ? project.values() : null);
            } catch (IOException x) {
                throw MojoFailures.usersFault(where + "Cannot read the Dockerfile " + location.file() + ": "
                        + x.getMessage() + "; make it readable", x);
            }
            checkFiltered(prepared, where);
            DockerfileDefaults fromDockerfile;
            try {
                fromDockerfile = DockerfileDefaults.resolve(prepared.portainer(), imageName,
                        element == null ? project.artifactId() : null,
                        e.buildCpu != null ? e.buildCpu : p.buildCpu, e.buildMem != null ? e.buildMem : p.buildMem);
            } catch (InvalidSettingException x) {
                if (imageName == null && element != null) {
                    throw MojoFailures.usersFault(where + "no image to build: give the element an <image> "
                            + "(e.g. registry:5000/team/app), or a REPOSITORY instruction in its Dockerfile", x);
                }
                if (imageName == null && !project.invocation().projectPresent()) {
                    throw MojoFailures.usersFault("No image to build: without a pom, give the repository "
                            + "with -Dportainer.image=registry:5000/team/app", x);
                }
                throw x;
            }
            fromDockerfile.notes().forEach(note -> log.info(note.render(MavenSuggestions.INSTANCE)));
            ImageRef ref = fromDockerfile.image();
            RegistryAuth auth = credentials.resolve(settings.push() ? Registries.of(ref.name()) : null,
                    Registries.of(prepared.pulledImages()));
            return ImageSpec.builder(context, ref, tags(tags))
                    .dockerfile(location.file().toString())
                    .prepared(prepared)
                    .resources(fromDockerfile.buildCpu(), fromDockerfile.buildMemMb())
                    .options(options)
                    .credentials(auth)
                    .build();
        } catch (InvalidSettingException | CredentialsException x) {
            String message = MavenSuggestions.INSTANCE.describe(x);
            throw MojoFailures.usersFault(message.startsWith(where) ? message : where + message, x);
        }
    }

    /**
     * A {@code ${project.…}} that filtering could not fill in is a typo: Docker cannot read it either (it fails on the
     * dot with "missing ':' in substitution"), so say so now, naming the line.
     */
    private void checkFiltered(PreparedDockerfile prepared, String where) throws MojoFailureException {
        if (prepared.filtered() == null) {
            return;
        }
        prepared.filtered().filled().forEach(r -> log.debug("Dockerfile " + prepared.name() + " line " + r.line()
                + ": " + r.written() + " = " + r.value()));
        for (PropertyFilter.Reference r : prepared.filtered().unresolved()) {
            if (r.name().startsWith("project.")) {
                throw new MojoFailureException(where + "Dockerfile " + prepared.name() + " line " + r.line() + ": "
                        + r.written() + " is not a value of the Maven project; check the name (e.g. "
                        + "${project.build.finalName}, ${project.artifactId}, ${project.version}), or set "
                        + MavenSuggestions.INSTANCE.howToSet(Setting.FILTER_DOCKERFILE) + " to false");
            }
        }
    }

    /** The {@code docker build} options of an element over the top-level ones. */
    private BuildOptions options(ImageConfig e) {
        return new BuildOptions(
                merged(ParameterParsing.mergeKeyValues(p.buildArgs, p.buildArgsList, "buildArgs", true),
                        e.buildArgs == null ? null : ParameterParsing.mergeKeyValues(e.buildArgs, null,
                                "buildArgs", true)),
                e.target != null ? e.target : p.target,
                merged(ParameterParsing.mergeKeyValues(p.labels, p.labelsList, "labels", false),
                        e.labels == null ? null : ParameterParsing.mergeKeyValues(e.labels, null, "labels",
                                false)),
                e.noCache != null ? e.noCache : p.noCache, e.pull != null ? e.pull : p.pull,
                e.network != null ? e.network : p.network,
                clean(e.extraHosts != null ? e.extraHosts : p.extraHosts),
                ParameterParsing.byteSize(e.shmSize != null ? e.shmSize : p.shmSize, "shmSize"),
                clean(e.cacheFrom != null ? e.cacheFrom : p.cacheFrom), e.platform != null ? e.platform : p.platform);
    }

    /** The tags as given, or the default: the project's version, {@code latest} without a pom. */
    private List<String> tags(List<String> given) {
        List<String> tags = given == null ? List.of() : given.stream().filter(Objects::nonNull)
                .map(String::trim).filter(t -> !t.isEmpty()).toList();
        if (tags.isEmpty() && given != null && !given.isEmpty()) {
            // e.g. -Dportainer.tags=, : something was meant, and it is not the default
            throw new InvalidSettingException(Message.of("portainer.tags names no tag (got " + given.size() + " empty "
                    + (given.size() == 1 ? "entry" : "entries") + "): give the tags, e.g. -Dportainer.tags=1.0,latest"
                    + " or <tags><tag>1.0</tag></tags>, or leave them unset for the project's version"));
        }
        return tags.isEmpty() ? List.of(project.version() != null ? project.version() : "latest") : tags;
    }

    /** The top-level map with an element's entries over it; null when both are. */
    private static Map<String, String> merged(Map<String, String> top, Map<String, String> element) {
        if (element == null) {
            return top;
        }
        Map<String, String> all = new LinkedHashMap<>(top == null ? Map.of() : top);
        all.putAll(element);
        return all;
    }

    /** How to reach the master; a wrong address, CA file or settings server fails here, before anything runs. */
    private MesosAccess mesosAccess() throws MojoFailureException {
        String address = master(p);
        Path ca = p.mesosCaCertificate == null ? null : p.mesosCaCertificate.toPath().toAbsolutePath();
        try {
            if (!MesosMaster.isLocal(address)) {
                if (ZooKeeperAddress.isZooKeeper(address)) {
                    ZooKeeperAddress.parse(address);
                } else {
                    MesosMaster.parse(address);
                }
            }
            if (ca != null) {
                // Read now, so that a wrong file fails before anything is packed or started.
                TrustedCertificates.fromPem(ca);
            }
        } catch (InvalidSettingException x) {
            // the master's address and CA file are the user's: every refusal of them says what to fix
            throw MojoFailures.usersFault(MavenSuggestions.INSTANCE.describe(x), x);
        }
        MesosCredential credential = MesosSettingsCredential.resolve(p.principal, p.mesosServerId,
                project.settings(), p.settingsDecrypter);
        return new MesosAccess(credential, ca);
    }

    private static List<String> clean(List<String> values) {
        return values == null ? List.of() : values.stream().map(String::trim).filter(v -> !v.isEmpty()).toList();
    }

    /** {@code project.build.outputTimestamp} as Maven's archivers read it (ISO-8601 or epoch seconds), else 1 s. */
    private Instant reproducibleTime() throws MojoFailureException {
        String value = project.outputTimestamp() == null ? "" : project.outputTimestamp().trim();
        // Maven's convention: a single character (e.g. "a") means "not set", to override an inherited value.
        if (value.length() < 2) {
            return ContextPacker.REPRODUCIBLE_TIME;
        }
        try {
            if (value.chars().allMatch(Character::isDigit)) {
                return Instant.ofEpochSecond(Long.parseLong(value));
            }
            return OffsetDateTime.parse(value).toInstant();
        } catch (RuntimeException e) {
            throw MojoFailures.usersFault("project.build.outputTimestamp '" + value + "' is not an ISO-8601 time"
                    + " (e.g. 2024-01-01T00:00:00Z) nor seconds since the epoch: fix it, or build without"
                    + " <reproducible> (portainer.reproducible)", e);
        }
    }

    private static Duration positive(Duration value, Setting setting) {
        if (value.isNegative() || value.isZero()) {
            throw new InvalidSettingException(Message.of(setting.key(), " must be positive, got ", value, "; fix ",
                    setting));
        }
        return value;
    }

    private static Duration parseDuration(String value, Setting setting) {
        try {
            return Duration.parse(value.trim());
        } catch (DateTimeParseException e) {
            throw new InvalidSettingException(Message.of("Invalid ", setting.key(), " '", value, "': use an ISO-8601"
                    + " duration such as PT5M or PT30S; fix ", setting));
        }
    }
}

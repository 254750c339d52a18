package dev.portainer.maven;

import dev.portainer.core.auth.CredentialsException;
import dev.portainer.core.auth.CredentialsResolver;
import dev.portainer.core.auth.DockerConfigCredentials;
import dev.portainer.core.auth.EnvironmentCredentials;
import dev.portainer.wire.image.Registries;
import dev.portainer.core.build.BuildPlan;
import dev.portainer.core.build.BuildResult;
import dev.portainer.core.build.BuildResultFiles;
import dev.portainer.core.build.EagerLocalMaster;
import dev.portainer.core.build.ImageBuild;
import dev.portainer.core.build.ImageSpec;
import dev.portainer.core.context.ContextException;
import dev.portainer.core.scheduler.BuildException;
import dev.portainer.core.scheduler.BuildFailedException;
import dev.portainer.core.scheduler.OfferTimeoutException;
import dev.portainer.core.scheduler.Outcome;
import dev.portainer.core.staging.StagingException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import java.util.Locale;
import java.util.Map;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.settings.Settings;
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
public class BuildMojo extends BuildParameters {

    @Override
    public void execute() throws MojoExecutionException, MojoFailureException {
        if (skip) {
            getLog().info("Skipping portainer:build (portainer.skip=true)");
            return;
        }
        Optional<BuildPlanReader> found = reader("portainer:build");
        if (found.isEmpty()) {
            return;
        }
        BuildPlanReader reader = found.get();
        ProjectFacts facts = reader.facts();
        // With mesosMaster=local the embedded Mesos starts now, in the background, while the configuration is read
        // and the contexts packed.
        try (EagerLocalMaster local = "local".equals(BuildPlanReader.master(this))
                ? EagerLocalMaster.start(LocalMesosLauncher.INSTANCE) : null) {
            BuildPlan plan = reader.read();
            QuietZooKeeperLogging.apply();
            Map<String, String> imageByTask = new LinkedHashMap<>();
            for (ImageSpec image : plan.images()) {
                getLog().debug("Image " + image.image() + " (cpus " + image.cpus() + ", mem " + image.memMb()
                        + " MB)");
                imageByTask.put(image.primaryReference(), image.image().name());
            }
            ProgressLine progressLine = TerminalProgressLine.of(session);
            MavenBuildListener listener = plan.several()
                    ? new MavenBuildListener(getLog(), imageByTask, progressLine)
                    : new MavenBuildListener(getLog(), plan.images().get(0).image().name(), progressLine);
            List<Outcome<ImageSpec, BuildResult>> outcomes;
            try {
                outcomes = ImageBuild.run(plan, listener, local);
            } catch (ContextException e) {
                throw MojoFailures.usersFault(MavenSuggestions.INSTANCE.describe(e), e);
            } catch (BuildException | StagingException e) {
                throw MojoFailures.systemFault(MavenSuggestions.INSTANCE.describe(e), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw MojoFailures.systemFault("portainer:build was interrupted; the build"
                        + (plan.several() ? "s were" : " was") + " cancelled", e);
            } finally {
                listener.finish();
            }
            if (plan.several()) {
                reportSeveral(plan, outcomes, facts);
            } else {
                reportOne(plan, outcomes.get(0), facts);
            }
        }
    }

    /** One image: its result, files and properties, or its failure as the goal's. */
    private void reportOne(BuildPlan plan, Outcome<ImageSpec, BuildResult> outcome, ProjectFacts facts)
            throws MojoExecutionException, MojoFailureException {
        ImageSpec image = outcome.subject();
        if (!outcome.succeeded()) {
            BuildException failure = outcome.failure();
            if (failure instanceof BuildFailedException failed) {
                throw MojoFailures.usersFault("Docker build of " + image.primaryReference() + " failed: "
                        + dockersWords(failed, image, facts), failure);
            }
            throw MojoFailures.systemFault(why(failure), failure);
        }
        BuildResult result = outcome.result();
        BuildResultFiles.Written written = BuildResultFiles.write(plan.settings().workDirectory(), result);
        ResultProperties.set(project.getProperties(), result, -1);
        getLog().info("Built " + result.image().name() + " " + String.join(", ", result.tags()) + ": "
                + result.imageId() + size(result, ", ")
                + (result.digest() == null ? " (not pushed)" : ", pushed " + result.digest()));
        // Each push reports its own digest; usually all are equal, but say which reference has which.
        result.digests().forEach((tag, digest) ->
                getLog().info("Pushed " + result.image().name() + ":" + tag + "@" + digest));
        getLog().info("Wrote " + written.json());
    }

    /** The {@code <images>} form: a summary of every image, then the verdict. */
    private void reportSeveral(BuildPlan plan, List<Outcome<ImageSpec, BuildResult>> outcomes, ProjectFacts facts)
            throws MojoExecutionException, MojoFailureException {
        getLog().info("Images built (" + outcomes.stream().filter(Outcome::succeeded).count() + " of "
                + outcomes.size() + "):");
        List<String> failures = new ArrayList<>();
        boolean usersFault = false;
        Map<String, String> stems = BuildResultFiles.stems(plan.images().stream().map(ImageSpec::image).toList());
        for (int i = 0; i < outcomes.size(); i++) {
            Outcome<ImageSpec, BuildResult> o = outcomes.get(i);
            ImageSpec image = o.subject();
            String took = String.format(Locale.ROOT, "%.1f s", o.elapsed().toMillis() / 1000.0);
            if (o.succeeded()) {
                BuildResult result = o.result();
                BuildResultFiles.write(plan.settings().workDirectory(), result, stems.get(image.image().name()));
                ResultProperties.set(project.getProperties(), result, i);
                getLog().info("  OK     " + image.primaryReference() + "  "
                        + (result.digest() == null ? result.imageId() + " (not pushed)" : result.digest())
                        + size(result, "  ") + "  " + took);
            } else {
                String why;
                if (o.failure() instanceof BuildFailedException failed) {
                    usersFault = true;
                    // The line names the image already: Docker's words, without core's "The build of <image>".
                    why = dockersWords(failed, image, facts);
                } else {
                    why = MavenSuggestions.INSTANCE.describe(o.failure());
                }
                getLog().error("  FAILED " + image.primaryReference() + "  " + why + "  " + took);
                failures.add(image.primaryReference() + ": " + why);
            }
        }
        if (!failures.isEmpty()) {
            String message = failures.size() + " of " + outcomes.size() + (outcomes.size() == 1 ? " image" : " images")
                    + " failed: " + String.join("; ", failures);
            // A wrong Dockerfile is the user's to fix; otherwise the cluster failed us and a rerun may help.
            if (usersFault) {
                throw new MojoFailureException(message);
            }
            throw new MojoExecutionException(message);
        }
    }

    /** The image's size as {@code docker images} shows it, after {@code separator}; nothing when unknown. */
    private static String size(BuildResult result, String separator) {
        return result.sizeBytes() < 0 ? "" : separator + ImageSize.human(result.sizeBytes());
    }

    /** Docker's error for a failed build, then the fix where Portainer knows one. */
    private static String dockersWords(BuildFailedException failed, ImageSpec image, ProjectFacts facts) {
        String error = failed.dockerError() == null ? MavenSuggestions.INSTANCE.describe(failed) : failed.dockerError();
        String auth = authHint(failed, image);
        String filter = DockerfileFilterHint.forError(failed.dockerError(), image.prepared(), facts.values());
        return error + (auth == null ? "" : "; " + auth) + (filter == null ? "" : "; " + filter);
    }

    /** A failure the cluster caused, with the fix where there is one. */
    private static String why(BuildException failure) {
        String message = MavenSuggestions.INSTANCE.describe(failure);
        if (failure instanceof OfferTimeoutException) {
            return message + ". To fix: lower <buildCpu> (portainer.buildCpu) or <buildMem> "
                    + "(portainer.buildMem) to fit what the cluster offers, free resources on the cluster, or wait "
                    + "longer with <offerTimeout> (portainer.offerTimeout)";
        }
        return message;
    }

    /**
     * Where registry credentials come from, the first that has a registry's winning: settings.xml (Maven's own place,
     * chosen for this build), then the environment ({@code PORTAINER_REGISTRY*}, then {@code DOCKER_AUTH_CONFIG}:
     * what a CI job was handed), then the Docker CLI's config on this machine (whatever {@code docker login} left,
     * read only when the others have nothing).
     *
     * @throws CredentialsException the environment's variables are set half-way, or DOCKER_AUTH_CONFIG is broken
     */
    static CredentialsResolver credentialsResolver(Settings settings, SettingsDecrypter decrypter,
                                                   Map<String, String> environment, Path home)
            throws CredentialsException {
        return new CredentialsResolver(List.of(
                new MavenSettingsCredentials(settings, decrypter),
                EnvironmentCredentials.of(environment),
                DockerConfigCredentials.fromEnvironment(environment),
                registry -> DockerConfigCredentials.load(environment, home).find(registry)));
    }

    /** A fix for a registry's refusal, naming the registry and where the credentials came from; or null. */
    private static String authHint(BuildFailedException failed, ImageSpec image) {
        String dockerError = failed.dockerError();
        if (dockerError == null || !AuthFailureHint.isAuthFailure(dockerError)) {
            return null;
        }
        String pushRegistry = Registries.of(image.image().name());
        if (failed.failedInPush()) {
            return AuthFailureHint.forRegistry(dockerError, pushRegistry, image.credentials().push());
        }
        List<String> pulled = image.prepared() == null ? List.of() : Registries.of(image.prepared().pulledImages());
        for (String registry : pulled) {
            if (dockerError.contains(registry)) {
                return AuthFailureHint.forRegistry(dockerError, registry, image.credentials().pull().get(registry));
            }
        }
        return null;
    }
}

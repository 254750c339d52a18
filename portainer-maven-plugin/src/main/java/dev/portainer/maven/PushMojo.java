package dev.portainer.maven;

import dev.portainer.core.build.BuildPlan;
import dev.portainer.core.build.BuildResult;
import dev.portainer.core.build.BuildResultFiles;
import dev.portainer.core.build.EagerLocalMaster;
import dev.portainer.core.build.ImagePush;
import dev.portainer.core.build.ImageSpec;
import dev.portainer.core.build.ImageToPush;
import dev.portainer.core.config.InvalidSettingException;
import dev.portainer.core.scheduler.BuildException;
import dev.portainer.core.scheduler.BuildFailedException;
import dev.portainer.core.scheduler.OfferTimeoutException;
import dev.portainer.core.scheduler.Outcome;
import dev.portainer.core.staging.StagingException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import java.util.Map;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;

/**
 * Pushes the image {@code portainer:build} built earlier, in this Maven run or an earlier one, for teams that build
 * at {@code package} and publish at {@code deploy} (like {@code docker:push} of docker-maven-plugin or
 * {@code dockerfile:push}): {@code mvn package portainer:build -Dportainer.push=false}, later
 * {@code mvn portainer:push}, or the goal bound to the {@code deploy} phase. It reads what the build recorded in
 * {@code target/portainer/<image>.json} (image id, tags, and the agent that built it) and pushes every tag, with the
 * same registry credentials as the build, from the Docker daemon of that agent: the image is only there, so the push
 * task runs on that agent (on {@code local}, this machine). The image must still be in that daemon ({@code docker
 * image prune} removes an untagged one; a new build of the same tags moves them); otherwise build again.
 * <p>
 * An image the build already pushed (with {@code push=true}, the default) is left alone. Afterwards the result file
 * has the digests, and the project gets the same {@code portainer.image…} properties as after the build.
 * {@code skipPush} skips this goal; it takes the parameters of {@code build} ({@code images}, the master, staging,
 * timeouts), of which it reads the ones that name the images and reach the cluster.
 */
@Mojo(name = "push", defaultPhase = LifecyclePhase.DEPLOY, threadSafe = true)
public class PushMojo extends BuildParameters {

    @Override
    public void execute() throws MojoExecutionException, MojoFailureException {
        if (skip) {
            getLog().info("Skipping portainer:push (portainer.skip=true)");
            return;
        }
        if (skipPush) {
            getLog().info("Skipping portainer:push (portainer.skipPush=true): nothing is pushed");
            return;
        }
        // portainer:build skipped a module without a Dockerfile: there is nothing of it to push either
        Optional<BuildPlanReader> reader = reader("portainer:push");
        if (reader.isEmpty()) {
            return;
        }
        BuildPlan plan = reader.get().readForPush();
        Path work = plan.settings().workDirectory();
        Map<String, String> stems = BuildResultFiles.stems(plan.images().stream().map(ImageSpec::image).toList());
        List<ImageToPush> toPush = new ArrayList<>();
        List<Integer> indexes = new ArrayList<>();
        for (int i = 0; i < plan.images().size(); i++) {
            ImageSpec image = plan.images().get(i);
            String stem = stems.get(image.image().name());
            BuildResult built = builtEarlier(work, stem, image);
            if (built.digests().keySet().containsAll(built.tags())) {
                // by portainer:build with push=true, or by an earlier portainer:push
                getLog().info(image.image().name() + " " + String.join(", ", built.tags()) + " is pushed already ("
                        + built.digest() + ", as " + BuildResultFiles.jsonFile(work, stem).getFileName()
                        + " records); nothing to push");
                ResultProperties.set(project.getProperties(), built, plan.several() ? i : -1);
                continue;
            }
            toPush.add(new ImageToPush(built, image.credentials()));
            indexes.add(i);
        }
        if (toPush.isEmpty()) {
            return;
        }
        QuietZooKeeperLogging.apply();
        Map<String, String> imageByTask = new LinkedHashMap<>();
        toPush.forEach(image -> imageByTask.put(image.primaryReference(), image.built().image().name()));
        ProgressLine progressLine = TerminalProgressLine.of(session);
        MavenBuildListener listener = plan.several() ? new MavenBuildListener(getLog(), imageByTask, progressLine)
                : new MavenBuildListener(getLog(), toPush.get(0).built().image().name(), progressLine);
        List<Outcome<ImageToPush, BuildResult>> outcomes;
        try (EagerLocalMaster local = "local".equals(BuildPlanReader.master(this))
                ? EagerLocalMaster.start(LocalMesosLauncher.INSTANCE) : null) {
            outcomes = ImagePush.ofThisProcess().push(plan.settings(), toPush, listener, local);
        } catch (InvalidSettingException e) {
            throw MojoFailures.usersFault(MavenSuggestions.INSTANCE.describe(e), e);
        } catch (BuildException | StagingException e) {
            throw MojoFailures.systemFault(MavenSuggestions.INSTANCE.describe(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw MojoFailures.systemFault("portainer:push was interrupted; the push was cancelled", e);
        } finally {
            listener.finish();
        }
        report(plan, outcomes, indexes, stems);
    }

    /** What {@code portainer:build} recorded for {@code image}; a missing file says how to make it. */
    private BuildResult builtEarlier(Path work, String stem, ImageSpec image) throws MojoFailureException {
        Path file = BuildResultFiles.jsonFile(work, stem);
        BuildResult built;
        try {
            built = BuildResultFiles.read(work, stem);
        } catch (IOException e) {
            throw MojoFailures.usersFault(e.getMessage() + "; run portainer:build again to write it", e);
        }
        if (built == null) {
            throw new MojoFailureException("No build result " + file + " for " + image.image().name() + ": run"
                    + " portainer:build first, e.g. mvn package portainer:build -Dportainer.push=false, then"
                    + " portainer:push (in the same run or a later one, with the same <workDirectory>)");
        }
        if (!built.image().name().equals(image.image().name()) || built.agent() == null) {
            throw new MojoFailureException("The build result " + file + " is of " + built.image().name()
                    + (built.agent() == null ? " and names no agent" : "") + ", not of " + image.image().name()
                    + ": run portainer:build again to write it for this image");
        }
        String elsewhere = builtElsewhere(BuildPlanReader.master(this), built, file);
        if (elsewhere != null) {
            throw new MojoFailureException(elsewhere);
        }
        return built;
    }

    /**
     * Why an image cannot be pushed through the embedded Mesos, or null: its one agent is this machine, and an image
     * a cluster's agent built is not in this machine's daemon (waiting for that agent's offer would only time out).
     */
    static String builtElsewhere(String master, BuildResult built, Path file) {
        if (!"local".equals(master) || LocalMesosLauncher.AGENT_HOSTNAME.equals(built.agent())) {
            return null;
        }
        return "The image " + built.image().name() + " (" + built.imageId() + ") was built on Mesos agent "
                + built.agent() + ", as " + file + " records, not by this machine's embedded Mesos"
                + " (mesosMaster=local): push it with the <mesosMaster> (portainer.mesosMaster) of that build, or run"
                + " portainer:build again here";
    }

    /** Each image's result file and properties; then the failures, if any, as the goal's. */
    private void report(BuildPlan plan, List<Outcome<ImageToPush, BuildResult>> outcomes, List<Integer> indexes,
                        Map<String, String> stems)
            throws MojoExecutionException, MojoFailureException {
        List<String> failures = new ArrayList<>();
        boolean usersFault = false;
        BuildException first = null;
        for (int i = 0; i < outcomes.size(); i++) {
            Outcome<ImageToPush, BuildResult> o = outcomes.get(i);
            String name = o.subject().built().image().name();
            if (o.succeeded()) {
                BuildResult result = o.result();
                BuildResultFiles.Written written = BuildResultFiles.write(plan.settings().workDirectory(), result,
                        stems.get(name));
                ResultProperties.set(project.getProperties(), result, plan.several() ? indexes.get(i) : -1);
                result.digests().forEach((tag, digest) -> getLog().info("Pushed " + name + ":" + tag + "@" + digest));
                getLog().info("Wrote " + written.json());
                continue;
            }
            BuildException failure = o.failure();
            first = first == null ? failure : first;
            String why = MavenSuggestions.INSTANCE.describe(failure);
            if (failure instanceof BuildFailedException failed) {
                // Docker's words: the image gone from the daemon, the registry refusing; the user's to fix
                usersFault = true;
                why = failed.dockerError() != null ? failed.dockerError() : why;
            } else if (failure instanceof OfferTimeoutException) {
                why += " (mvn package portainer:build -Dportainer.push=false, then portainer:push; or build with"
                        + " <push> (portainer.push) true)";
            }
            getLog().error("Push of " + o.subject().primaryReference() + " failed: " + why);
            failures.add(o.subject().primaryReference() + ": " + why);
        }
        if (failures.isEmpty()) {
            return;
        }
        String message = "portainer:push failed for " + (failures.size() == 1 ? failures.get(0)
                : failures.size() + " of " + outcomes.size() + " images: " + String.join("; ", failures));
        if (usersFault) {
            throw MojoFailures.usersFault(message, first);
        }
        throw MojoFailures.systemFault(message, first);
    }
}

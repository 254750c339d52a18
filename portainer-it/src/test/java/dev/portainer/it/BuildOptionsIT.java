package dev.portainer.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** docker build's options, the pull registry and Dockerfiles of the original Portainer, end to end. */
class BuildOptionsIT {
    private static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void buildArgsTargetAndLabelsReachTheImage() throws Exception {
        String image = MavenRun.REGISTRY + "/it/" + unique("options");
        Path project = MavenRun.copyProject("build-options");

        MavenRun.Outcome build = MavenRun.run(project, "package", "portainer:build", "-Dportainer.image=" + image,
                "-Dportainer.push=false", "-Dportainer.buildArgs=GREETING=hello-from-a-build-arg",
                "-Dportainer.labels=build.number=42", "-Dportainer.noCache=true",
                "-Dportainer.extraHosts=db.internal:10.1.2.3", "-Dportainer.shmSize=64m",
                "-Dportainer.network=host");
        try {
            assertTrue(build.succeeded(), build.output());
            assertFalse(build.output().contains("the never stage was built"), "target must stop at 'final'");
            String labels = Docker.ok("inspect", "-f", "{{json .Config.Labels}}", image + ":1.0.0");
            assertTrue(labels.contains("\"team\":\"platform\"") && labels.contains("\"build.number\":\"42\"")
                    && labels.contains("\"org.opencontainers.image.title\":\"build-options\""), labels);
            String files = Docker.ok("run", "--rm", image + ":1.0.0", "cat", "/greeting", "/flavour", "/stage");
            assertEquals("hello-from-a-build-arg\nfrom-the-pom\nfinal\n", files);
        } finally {
            Docker.run("rmi", "-f", image + ":1.0.0");
        }
        ItChecks.assertNothingLeftBehind(build);
    }

    @Test
    void pullRegistryRewritesBaseImagesAndCopyFromButNotStages() throws Exception {
        String repo = "it/" + unique("pullreg");
        String image = MavenRun.REGISTRY + "/" + repo;
        Path project = MavenRun.copyProject("pull-registry");

        // pull=true: the daemon must fetch the base image, and only the registry on 127.0.0.1:5000 has it.
        MavenRun.Outcome build = MavenRun.run(project, "package", "portainer:build", "-Dportainer.image=" + image,
                "-Dportainer.pullRegistry=" + MavenRun.REGISTRY, "-Dportainer.pull=true");
        try {
            assertTrue(build.succeeded(), build.output());
            String out = build.output();
            assertTrue(out.contains("FROM portainer/busybox:latest -> " + MavenRun.REGISTRY
                    + "/portainer/busybox:latest"), out);
            assertTrue(out.contains("COPY --from=portainer/busybox:latest -> " + MavenRun.REGISTRY
                    + "/portainer/busybox:latest"), out);
            assertFalse(out.contains("COPY --from=tools ->"), "a stage is never rewritten: " + out);
            assertTrue(out.contains("pulled through the pull registry"), out);
            // The user's Dockerfile on disk is untouched.
            assertTrue(Files.readString(project.resolve("Dockerfile")).contains("FROM portainer/busybox:latest AS"));
            assertEquals(Files.readString(project.resolve("target/portainer/" + repo.substring(3) + ".digest"))
                    .trim(), Registry.digest(repo, "1.0.0"));
        } finally {
            Docker.run("rmi", "-f", image + ":1.0.0");
        }
        ItChecks.assertNothingLeftBehind(build);
    }

    @Test
    void digestReferencesInFromWorkWithAndWithoutPullRegistry() throws Exception {
        String base = Registry.digest("portainer/busybox", "latest");
        String image = MavenRun.REGISTRY + "/it/" + unique("digest");
        Path project = MavenRun.copyProject("pull-registry");
        Files.writeString(project.resolve("Dockerfile"), "FROM " + MavenRun.REGISTRY + "/portainer/busybox@" + base
                + " AS pinned\nFROM portainer/busybox@" + base + "\nCOPY --from=pinned /bin/busybox /pinned\n"
                + "RUN echo built-from-a-digest\n");

        MavenRun.Outcome build = MavenRun.run(project, "package", "portainer:build", "-Dportainer.image=" + image,
                "-Dportainer.push=false", "-Dportainer.pullRegistry=" + MavenRun.REGISTRY);
        try {
            assertTrue(build.succeeded(), build.output());
            assertTrue(build.output().contains("FROM portainer/busybox@" + base + " -> " + MavenRun.REGISTRY
                    + "/portainer/busybox@" + base), build.output());
            assertTrue(build.output().contains("built-from-a-digest"), build.output());
        } finally {
            Docker.run("rmi", "-f", image + ":1.0.0");
        }
        ItChecks.assertNothingLeftBehind(build);
    }

    @Test
    void originalPortainerInstructionsSetImageAndResourcesAndNeverReachDocker() throws Exception {
        String repo = "it/" + unique("original");
        Path project = MavenRun.copyProject("original-portainer");
        Path dockerfile = project.resolve("Dockerfile");
        Files.writeString(dockerfile, Files.readString(dockerfile).replace("it/original-REPLACED", repo));

        MavenRun.Outcome build = MavenRun.run(project, "package", "portainer:build");
        try {
            assertTrue(build.succeeded(), build.output());
            String out = build.output();
            assertTrue(out.contains("Dockerfile REPOSITORY " + repo + " REGISTRY " + MavenRun.REGISTRY + " -> image "
                    + MavenRun.REGISTRY + "/" + repo), out);
            assertTrue(out.contains("Dockerfile BUILD_CPU 0.5 -> buildCpu 0.5"), out);
            assertTrue(out.contains("(cpus 0.5, mem 300.0 MB)"), out);
            assertTrue(out.contains("read by Portainer and left out of what Docker gets"), out);
            assertFalse(out.contains("Unknown instruction"), out);
            assertEquals(200, Registry.status(repo, "1.0.0"), "pushed to the Dockerfile's REGISTRY/REPOSITORY");
        } finally {
            Docker.run("rmi", "-f", MavenRun.REGISTRY + "/" + repo + ":1.0.0");
        }
        ItChecks.assertNothingLeftBehind(build);

        // Set in the pom (here: on the command line), the image and resources win over the Dockerfile.
        String image = MavenRun.REGISTRY + "/it/" + unique("pom-wins");
        MavenRun.Outcome pomWins = MavenRun.run(project, "package", "portainer:build", "-Dportainer.image=" + image,
                "-Dportainer.buildMem=256", "-Dportainer.push=false");
        try {
            assertTrue(pomWins.succeeded(), pomWins.output());
            assertTrue(pomWins.output().contains("ignored: <image> (portainer.image) is set to " + image),
                    pomWins.output());
            assertTrue(pomWins.output().contains("(cpus 0.5, mem 256.0 MB)"), pomWins.output());
        } finally {
            Docker.run("rmi", "-f", image + ":1.0.0");
        }
        ItChecks.assertNothingLeftBehind(pomWins);
    }
}

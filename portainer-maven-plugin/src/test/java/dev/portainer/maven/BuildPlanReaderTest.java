package dev.portainer.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portainer.core.auth.CredentialsResolver;
import dev.portainer.wire.auth.RegistryCredentials;
import dev.portainer.wire.auth.Secret;
import dev.portainer.core.build.BuildPlan;
import dev.portainer.core.build.ExecutorJarFile;
import dev.portainer.core.build.ImageSpec;
import dev.portainer.core.build.RunSettings;
import java.io.File;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.xml.parsers.DocumentBuilderFactory;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugin.logging.SystemStreamLog;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** The mapping from the goal's parameters, with Maven's own defaults from the plugin descriptor, to a build plan. */
class BuildPlanReaderTest {
    private static final Path DESCRIPTOR = Path.of("target/classes/META-INF/maven/plugin.xml");

    @TempDir
    Path project;

    private final BuildMojo parameters = new BuildMojo();
    private final List<String> infos = new ArrayList<>();
    private final List<String> warnings = new ArrayList<>();
    private final Map<String, RegistryCredentials> known = new LinkedHashMap<>();
    private final Map<String, String> mavenValues = Map.of("project.build.finalName", "app-1.0-SNAPSHOT",
            "base.image", "127.0.0.1:5001/portainer/busybox:latest");
    private Invocation invocation = new Invocation(true, 1, false);

    @BeforeEach
    void mavenDefaults() throws Exception {
        applyDescriptorDefaults(parameters, "build");
        Files.writeString(project.resolve("Dockerfile"), "FROM debian:12\n");
    }

    private BuildPlan read() throws Exception {
        return reader().read();
    }

    private BuildPlanReader reader() {
        ProjectFacts facts = new ProjectFacts(invocation, project, "app", "1.0-SNAPSHOT", project.resolve("target"),
                null, null, "builder", name -> Optional.ofNullable(mavenValues.get(name)));
        CredentialsResolver credentials = new CredentialsResolver(List.of(
                registry -> Optional.ofNullable(known.get(registry))));
        SystemStreamLog log = new SystemStreamLog() {
            @Override
            public void info(CharSequence content) {
                infos.add(content.toString());
            }

            @Override
            public void warn(CharSequence content) {
                warnings.add(content.toString());
            }
        };
        return new BuildPlanReader(parameters, facts, credentials,
                work -> new ExecutorJarFile(work.resolve("portainer-executor.jar"), null), log);
    }

    private MojoFailureException refused() {
        return assertThrows(MojoFailureException.class, this::read);
    }

    @Test
    void oneImageIsThePlanOfOneWithMavensDefaults() throws Exception {
        BuildPlan plan = read();

        assertEquals(1, plan.images().size());
        assertFalse(plan.several());
        ImageSpec image = plan.images().get(0);
        assertEquals("app", image.image().name());
        assertEquals(List.of("1.0-SNAPSHOT"), image.tags());
        assertEquals(1, image.cpus());
        assertEquals(512, image.memMb());
        assertEquals(project.toRealPath().resolve("Dockerfile").toString(), image.dockerfile());
        RunSettings settings = plan.settings();
        assertTrue(settings.localMaster());
        assertTrue(settings.push());
        assertEquals(Duration.ofMinutes(5), settings.offerTimeout());
        assertEquals(Duration.ofHours(2), settings.timeout());
        assertEquals(Duration.ofSeconds(30), settings.framework().failoverTimeout());
        assertEquals("portainer", settings.framework().name());
        assertEquals("builder", settings.framework().user());
        assertEquals("*", settings.framework().role());
        assertEquals(2, settings.retries());
        assertEquals(project.resolve("target/portainer"), settings.workDirectory());
        assertNull(settings.hadoopStaging());
        assertNull(settings.reproducibleTime());
        assertFalse(settings.failFast());
    }

    @Test
    void elementsOfImagesFallBackToTheTopLevelAndMergeItsMaps() throws Exception {
        Path api = Files.createDirectories(project.resolve("api"));
        Files.writeString(api.resolve("Dockerfile"), "FROM busybox\nREPOSITORY team/api\n");
        parameters.buildArgs = Map.of("SHARED", "top", "OVERRIDDEN", "top");
        parameters.target = "release";
        parameters.buildMem = 1024.0;
        parameters.tags = List.of("1.0");
        ImageConfig first = new ImageConfig();
        first.image = "127.0.0.1:5000/team/web";
        first.buildArgs = Map.of("OVERRIDDEN", "element");
        first.buildCpu = 0.5;
        ImageConfig second = new ImageConfig();
        second.contextDirectory = new File("api");
        second.target = "debug";
        second.tags = List.of("2.0", "latest");
        parameters.images = List.of(first, second);

        BuildPlan plan = read();

        assertTrue(plan.several());
        ImageSpec web = plan.images().get(0);
        assertEquals("127.0.0.1:5000/team/web", web.image().name());
        assertEquals(List.of("1.0"), web.tags());
        assertEquals(0.5, web.cpus());
        assertEquals(1024, web.memMb());
        assertEquals(Map.of("SHARED", "top", "OVERRIDDEN", "element"), web.options().buildArgs());
        assertEquals("release", web.options().target());
        ImageSpec fromDockerfile = plan.images().get(1);
        assertEquals("team/api", fromDockerfile.image().name());
        assertEquals(api.toRealPath(), Path.of(fromDockerfile.dockerfile()).getParent());
        assertEquals(List.of("2.0", "latest"), fromDockerfile.tags());
        assertEquals(Map.of("SHARED", "top", "OVERRIDDEN", "top"), fromDockerfile.options().buildArgs());
        assertEquals("debug", fromDockerfile.options().target());
        assertTrue(infos.stream().anyMatch(i -> i.contains("REPOSITORY team/api") && i.contains("team/api")), infos
                .toString());
    }

    /** The credentials lookup once ran before <pullRegistry> rewrote FROM: the mirror's were never used. */
    @Test
    void imagesOfOneElementIsStillReportedAsAList() throws Exception {
        ImageConfig only = new ImageConfig();
        only.image = "127.0.0.1:5000/team/only";
        parameters.images = List.of(only);

        BuildPlan plan = read();

        assertEquals(1, plan.images().size());
        assertTrue(plan.several(), "an <images> list of one gets the summary and the numbered properties");
    }

    @Test
    void pullsFromTheMirrorUseTheMirrorsCredentials() throws Exception {
        Files.writeString(project.resolve("Dockerfile"), "FROM debian:12 AS base\nFROM base\n"
                + "COPY --from=gcr.io/tools/t:1 /t /t\n");
        parameters.pullRegistry = "mirror.example.com:5000/";
        parameters.image = "registry.example.com/team/app";
        known.put("mirror.example.com:5000", credentials("mirror.example.com:5000"));
        known.put("registry.example.com", credentials("registry.example.com"));
        known.put("docker.io", credentials("docker.io"));

        BuildPlan plan = read();

        ImageSpec image = plan.images().get(0);
        assertEquals("mirror.example.com:5000", plan.settings().pullRegistry());
        assertEquals("registry.example.com", image.credentials().push().registry());
        assertEquals(List.of("mirror.example.com:5000"), List.copyOf(image.credentials().pull().keySet()),
                "gcr.io has none, and Docker Hub is not pulled from");
    }

    @Test
    void skipPushWinsOverPushAndNoPushCredentialsAreLookedUp() throws Exception {
        parameters.skipPush = true;
        parameters.image = "registry.example.com/team/app";
        known.put("registry.example.com", credentials("registry.example.com"));

        BuildPlan plan = read();

        assertFalse(plan.settings().push());
        assertNull(plan.images().get(0).credentials().push());
    }

    @Test
    void thePushGoalPushesWithThePushCredentialsWhateverPushSaysForTheBuild() throws Exception {
        // mvn package portainer:build portainer:push -Dportainer.push=false: the property is meant for the build
        parameters.push = false;
        parameters.image = "registry.example.com/team/app";
        known.put("registry.example.com", credentials("registry.example.com"));

        BuildPlan plan = reader().readForPush();

        assertTrue(plan.settings().push());
        assertEquals("registry.example.com", plan.images().get(0).credentials().push().registry());
        assertFalse(read().settings().push(), "the build itself does not push");
    }

    @Test
    void aTopLevelImageNextToImagesIsRefusedNamingWhatToRemove() {
        parameters.image = "127.0.0.1:5000/it/top";
        ImageConfig element = new ImageConfig();
        element.image = "127.0.0.1:5000/it/element";
        parameters.images = List.of(element);

        assertTrue(refused().getMessage().startsWith("Both <image> (127.0.0.1:5000/it/top) and <images> are set"));
    }

    @Test
    void theSameImageTwiceIsRefused() {
        ImageConfig a = new ImageConfig();
        a.image = "127.0.0.1:5000/it/same";
        ImageConfig b = new ImageConfig();
        b.image = "127.0.0.1:5000/it/same";
        parameters.images = List.of(a, b);

        assertEquals("Image 127.0.0.1:5000/it/same is listed twice in <images>; give each element its own <image>",
                refused().getMessage());
    }

    @Test
    void anElementWithoutAnImageSaysWhichAndHowToName() {
        ImageConfig named = new ImageConfig();
        named.image = "127.0.0.1:5000/it/named";
        parameters.images = List.of(named, new ImageConfig());

        String message = refused().getMessage();
        assertTrue(message.startsWith("<images> element 1 (" + project + "): no image to build"), message);
    }

    @Test
    void aRemoteMasterIsRefusedOffline() {
        invocation = new Invocation(true, 1, true);
        parameters.mesosMaster = "mesos.example.com:5050";

        assertTrue(refused().getMessage().startsWith("Maven is offline (-o) but mesosMaster is mesos.example.com:5050"));
    }

    @Test
    void badValuesNameTheParameterToFix() {
        parameters.offerTimeout = "5 minutes";
        assertTrue(refused().getMessage().contains("fix <offerTimeout> (portainer.offerTimeout)"));
        parameters.offerTimeout = "PT5M";
        parameters.tags = java.util.Arrays.asList(null, " ");
        assertTrue(refused().getMessage().startsWith("portainer.tags names no tag (got 2 empty entries)"));
        parameters.tags = null;
        parameters.buildCpu = Double.POSITIVE_INFINITY;
        assertTrue(refused().getMessage().contains("fix <buildCpu> (portainer.buildCpu)"));
    }

    @Test
    void aDockerfileFoundOnlyFromTheProjectDirectoryIsUsed() throws Exception {
        Path context = Files.createDirectories(project.resolve("src/main/docker"));
        Files.createDirectories(project.resolve("docker"));
        Files.writeString(project.resolve("docker/Dockerfile.release"), "FROM busybox\n");
        parameters.contextDirectory = context.toFile();
        parameters.dockerfile = "docker/Dockerfile.release";

        ImageSpec image = read().images().get(0);

        assertEquals(project.toRealPath().resolve("docker/Dockerfile.release").toString(), image.dockerfile());
        assertEquals(context, image.contextDirectory());
    }

    @Test
    void filteringIsOffByDefaultAndTheDockerfileReachesDockerAsWritten() throws Exception {
        Files.writeString(project.resolve("Dockerfile"), "FROM ${base.image}\nCOPY ${project.build.finalName}.jar /\n");

        ImageSpec image = read().images().get(0);

        assertNull(image.prepared().filtered());
        assertEquals("FROM ${base.image}\nCOPY ${project.build.finalName}.jar /\n",
                new String(image.prepared().forDocker(), java.nio.charset.StandardCharsets.UTF_8));
    }

    @Test
    void filteredDockerfileIsWhatCredentialsAreChosenFromAndTheFileStaysAsItWas() throws Exception {
        String original = "FROM ${base.image}\nCOPY ${project.build.finalName}.jar ${APP_HOME}/\n";
        Files.writeString(project.resolve("Dockerfile"), original);
        parameters.filterDockerfile = true;
        known.put("127.0.0.1:5001", credentials("127.0.0.1:5001"));

        ImageSpec image = read().images().get(0);

        assertEquals("FROM 127.0.0.1:5001/portainer/busybox:latest\nCOPY app-1.0-SNAPSHOT.jar ${APP_HOME}/\n",
                new String(image.prepared().forDocker(), java.nio.charset.StandardCharsets.UTF_8));
        assertEquals(List.of("127.0.0.1:5001"), List.copyOf(image.credentials().pull().keySet()));
        assertEquals(original, Files.readString(project.resolve("Dockerfile")));
    }

    @Test
    void anElementsFilterDockerfileWinsOverTheTopLevelOne() throws Exception {
        Files.writeString(project.resolve("Dockerfile"), "FROM busybox\nLABEL jar=${project.build.finalName}\n");
        parameters.filterDockerfile = true;
        ImageConfig unfiltered = new ImageConfig();
        unfiltered.image = "127.0.0.1:5000/it/unfiltered";
        unfiltered.filterDockerfile = false;
        ImageConfig filtered = new ImageConfig();
        filtered.image = "127.0.0.1:5000/it/filtered";
        parameters.images = List.of(unfiltered, filtered);

        BuildPlan plan = read();

        assertNull(plan.images().get(0).prepared().filtered());
        assertEquals(1, plan.images().get(1).prepared().filtered().filled().size());
    }

    @Test
    void anUnknownProjectValueIsATypoNamedWithItsLine() throws Exception {
        Files.writeString(project.resolve("Dockerfile"), "FROM busybox\nCOPY ${project.build.finalname}.jar /\n");
        parameters.filterDockerfile = true;

        assertEquals("Dockerfile Dockerfile line 2: ${project.build.finalname} is not a value of the Maven project; "
                + "check the name (e.g. ${project.build.finalName}, ${project.artifactId}, ${project.version}), or set "
                + "<filterDockerfile> (portainer.filterDockerfile) to false", refused().getMessage());
    }

    private static RegistryCredentials credentials(String registry) {
        return new RegistryCredentials(registry, "user", Secret.of("secret"), "test");
    }

    /** Sets every parameter's literal default as Maven would from the generated descriptor. */
    private static void applyDescriptorDefaults(BuildParameters parameters, String goal) throws Exception {
        assertTrue(Files.isRegularFile(DESCRIPTOR), "run through Maven: the descriptor is made before the tests");
        NodeList mojos = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(DESCRIPTOR.toFile())
                .getElementsByTagName("mojo");
        for (int i = 0; i < mojos.getLength(); i++) {
            Element mojo = (Element) mojos.item(i);
            if (!goal.equals(mojo.getElementsByTagName("goal").item(0).getTextContent())) {
                continue;
            }
            NodeList config = ((Element) mojo.getElementsByTagName("configuration").item(0)).getChildNodes();
            for (int k = 0; k < config.getLength(); k++) {
                if (!(config.item(k) instanceof Element element) || !element.hasAttribute("default-value")
                        || element.getAttribute("default-value").startsWith("${")) {
                    continue;
                }
                Field field = BuildParameters.class.getDeclaredField(element.getTagName());
                String value = element.getAttribute("default-value");
                field.set(parameters, switch (field.getType().getName()) {
                    case "boolean" -> Boolean.parseBoolean(value);
                    case "int" -> Integer.parseInt(value);
                    case "java.lang.String" -> value;
                    default -> throw new AssertionError("no default of type " + field.getType() + " expected");
                });
            }
            return;
        }
        throw new AssertionError("no goal " + goal);
    }
}

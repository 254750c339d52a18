package dev.portainer.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portainer.core.scheduler.SchedulerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * Nothing waits forever, and a killed Maven's builds end soon: the goals' documented defaults of {@code timeout} and
 * {@code failoverTimeout}, as Maven reads them from the generated plugin descriptor, are core's.
 */
class TimeoutDefaultsTest {
    private static final Path DESCRIPTOR = Path.of("target/classes/META-INF/maven/plugin.xml");

    @Test
    void everyBuildGoalHasABuildTimeoutByDefault() throws Exception {
        for (String goal : new String[] {"build", "build-standalone"}) {
            assertEquals(SchedulerConfig.DEFAULT_BUILD_TIMEOUT, Duration.parse(defaultOf(goal, "timeout")), goal);
            assertEquals("portainer.timeout", propertyOf(goal, "timeout"), goal);
        }
        assertEquals(Duration.ofHours(2), SchedulerConfig.DEFAULT_BUILD_TIMEOUT);
    }

    @Test
    void everyBuildGoalHasAShortFailoverTimeoutThatAPropertyRaises() throws Exception {
        for (String goal : new String[] {"build", "build-standalone"}) {
            assertEquals(SchedulerConfig.DEFAULT_FAILOVER_TIMEOUT, Duration.parse(defaultOf(goal, "failoverTimeout")),
                    goal);
            assertEquals("portainer.failoverTimeout", propertyOf(goal, "failoverTimeout"), goal);
        }
        assertTrue(SchedulerConfig.DEFAULT_FAILOVER_TIMEOUT.compareTo(Duration.ofMinutes(1)) < 0,
                "seconds, not minutes: " + SchedulerConfig.DEFAULT_FAILOVER_TIMEOUT);
    }

    private static String defaultOf(String goal, String parameter) throws Exception {
        return configuration(goal, parameter).getAttribute("default-value");
    }

    private static String propertyOf(String goal, String parameter) throws Exception {
        return configuration(goal, parameter).getTextContent().replaceAll("^\\$\\{(.*)}$", "$1");
    }

    private static Element configuration(String goal, String parameter) throws Exception {
        assertTrue(Files.isRegularFile(DESCRIPTOR), "run through Maven: the descriptor is made before the tests");
        NodeList mojos = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(DESCRIPTOR.toFile())
                .getElementsByTagName("mojo");
        for (int i = 0; i < mojos.getLength(); i++) {
            Element mojo = (Element) mojos.item(i);
            if (goal.equals(mojo.getElementsByTagName("goal").item(0).getTextContent())) {
                NodeList found = ((Element) mojo.getElementsByTagName("configuration").item(0))
                        .getElementsByTagName(parameter);
                assertEquals(1, found.getLength(), "goal " + goal + " has no parameter " + parameter);
                return (Element) found.item(0);
            }
        }
        throw new AssertionError("no goal " + goal + " in " + DESCRIPTOR);
    }
}

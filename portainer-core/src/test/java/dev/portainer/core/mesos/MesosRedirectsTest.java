package dev.portainer.core.mesos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.URI;
import org.junit.jupiter.api.Test;

class MesosRedirectsTest {
    @Test
    void protocolRelativeLocationKeepsTheSchemeOfTheCall() {
        assertEquals(URI.create("https://10.0.0.2:5050/master/api/v1/scheduler"),
                MesosRedirects.resolve(URI.create("https://10.0.0.1:5050/api/v1/scheduler"),
                        "//10.0.0.2:5050/master/api/v1/scheduler"));
        assertEquals(URI.create("http://10.0.0.2:5050/master/api/v1/scheduler"),
                MesosRedirects.resolve(URI.create("http://10.0.0.1:5050/api/v1/scheduler"),
                        "//10.0.0.2:5050/master/api/v1/scheduler"));
    }

    @Test
    void absoluteLocationIsTakenAsIs() {
        assertEquals(URI.create("http://m2:5050/api/v1/scheduler"),
                MesosRedirects.resolve(URI.create("http://m1:5050/api/v1/scheduler"), "http://m2:5050/api/v1/scheduler"));
    }

    @Test
    void invalidLocationIsAClearError() {
        assertThrows(IllegalStateException.class,
                () -> MesosRedirects.resolve(URI.create("http://m1:5050/api/v1/scheduler"), "http://bad host/"));
    }
}

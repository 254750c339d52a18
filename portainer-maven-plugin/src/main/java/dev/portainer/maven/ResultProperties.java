package dev.portainer.maven;

import dev.portainer.core.build.BuildResult;
import java.util.Properties;

/** The project properties an image's result sets for later plugins, by {@code build} and {@code push} alike. */
final class ResultProperties {
    private ResultProperties() {
    }

    /**
     * Sets {@code portainer.image}, {@code .id} and {@code .digest} (when pushed) for the single image, or
     * {@code portainer.image.<index>…} for the {@code index}-th element of {@code <images>}.
     *
     * @param index the element's index, or -1 for the single image
     */
    static void set(Properties properties, BuildResult result, int index) {
        String n = index < 0 ? "portainer.image" : "portainer.image." + index;
        properties.setProperty(n, result.image().name() + ":" + result.tags().get(0));
        properties.setProperty(n + ".id", result.imageId());
        if (result.digest() != null) {
            properties.setProperty(n + ".digest", result.digest());
        }
    }
}

package dev.portainer.executor.build;

import dev.portainer.wire.BuildSpec;
import java.nio.file.Path;

/** Makes the {@link ImageBuild} for a launched task; the seam between the Mesos side and Docker. */
@FunctionalInterface
public interface ImageBuilds {
    /**
     * @param spec    what to build, decoded from {@code TaskInfo.data}
     * @param sandbox the task's sandbox, where the fetcher put {@link BuildSpec#contextFile()}
     */
    ImageBuild create(BuildSpec spec, Path sandbox);
}

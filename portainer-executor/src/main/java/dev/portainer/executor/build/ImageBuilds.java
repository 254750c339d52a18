package dev.portainer.executor.build;

import dev.portainer.wire.BuildSpec;
import java.nio.file.Path;

/** Makes the {@link ImageBuild} for a launched task; the seam between the Mesos side and Docker. */
@FunctionalInterface
public interface ImageBuilds {
    /**
     * @param spec    what to build, decoded from {@code TaskInfo.data}
     * @param sandbox the task's own directory: the executor's sandbox (where the fetcher put what the task's URIs
     *                name), or for an executor of several tasks the task's directory in it ({@code tasks/<task id>}),
     *                so that what a build keeps there (an ephemeral daemon's data) is not shared between tasks
     * @param context the build context archive: {@link BuildSpec#contextFile()} in the sandbox, the file a
     *                {@link BuildSpec#contextUri()} names, or where it is downloaded to (see {@link ContextFromUri});
     *                null for a push task
     */
    ImageBuild create(BuildSpec spec, Path sandbox, Path context);

    /** Where the context of {@code spec} is read from when the fetcher put it in {@code sandbox}: null for a push. */
    static Path fetchedContext(BuildSpec spec, Path sandbox) {
        return spec.pushOnly() ? null : sandbox.resolve(spec.contextFile());
    }
}

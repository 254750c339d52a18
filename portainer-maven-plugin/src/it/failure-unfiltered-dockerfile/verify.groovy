// Docker's bare "missing ':' in substitution" on a Maven reference comes with the parameter that fixes it, and the
// failure says once which image failed (no "Docker build of X failed: The build of X failed").
def log = new File(basedir, 'build.log').text
assert log.contains('BUILD FAILURE')
def failure = log.readLines().find { it.contains('[ERROR] Failed to execute goal') }
assert failure != null : log
assert failure.contains("Docker build of ${registry}/invoker/failure-unfiltered-dockerfile-${runId}:1.0.0 failed: "
        + 'failed to process "target/${project.build.finalName}.jar": missing \':\' in substitution; '
        + '${project.build.finalName} is Maven\'s, not Docker\'s: to have the plugin fill in Maven\'s ${…} in the '
        + 'Dockerfile, set <filterDockerfile> (portainer.filterDockerfile) to true') : failure
assert !failure.contains('The build of ')

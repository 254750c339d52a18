// filterDockerfile: Maven's ${…} filled in for Docker (the jar is where the Dockerfile says), Docker's own ${APP_HOME}
// expanded by Docker, the file on disk unchanged.
def log = new File(basedir, 'build.log').text
def image = "${registry}/invoker/filter-dockerfile-${runId}:1.0.0"
try {
    assert log.contains('BUILD SUCCESS')
    assert log.contains('Dockerfile Dockerfile: filled in ${project.build.finalName} (line 2), ${project.artifactId} '
            + '(line 2), ${greeting} (line 3), ${project.artifactId} (line 3), ${project.version} (line 4) '
            + '(filterDockerfile)') : log
    assert new File(basedir, 'target/app-1.0.0.jar').isFile()
    assert new File(basedir, 'Dockerfile').text.contains('COPY target/${project.build.finalName}.jar')

    def out = new StringBuilder(), err = new StringBuilder()
    def run = ['docker', 'run', '--rm', image].execute()
    run.waitForProcessOutput(out, err)
    assert run.exitValue() == 0 && out.toString() == 'app-1.0.0.jar\nfrom-the-command-line\n' : "docker run said: $out $err"
    def labels = ['docker', 'inspect', '--format', '{{index .Config.Labels "version"}} {{index .Config.Labels "docker.expanded"}}',
                  image].execute().text.trim()
    assert labels == '1.0.0 /opt/filter-dockerfile' : labels
} finally {
    ['docker', 'rmi', '-f', image].execute().waitFor()
}

// In a parallel reactor, modules without a Dockerfile are skipped with exactly one info line each.
def log = new File(basedir, 'build.log').text
def skipped = log.readLines().findAll { it.contains('Skipping portainer:build for ') }
assert skipped.size() == 2 : skipped
assert skipped.any { it.contains('for reactor-parent: no Dockerfile at') }
assert skipped.any { it.contains('for reactor-lib: no Dockerfile at') }
assert new File(basedir, 'lib/target/reactor-lib-1.0.0.jar').isFile()
assert !new File(basedir, 'lib/target/portainer').exists()

def image = "${registry}/invoker/reactor-reactor-app-${runId}:1.0.0"
try {
    assert log.contains('(not pushed)')
    def out = new StringBuilder(), err = new StringBuilder()
    def run = ['docker', 'run', '--rm', image].execute()
    run.waitForProcessOutput(out, err)
    assert run.exitValue() == 0 && out.toString().trim() == 'built in a reactor' : "docker run said: $out $err"
} finally {
    ['docker', 'rmi', '-f', image].execute().waitFor()
}

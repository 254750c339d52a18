// -Dportainer.skipPush: the image is built and tagged on the daemon, never pushed; the results have no digest.
import groovy.json.JsonSlurper

def repo = "invoker/skip-push-${runId}"
def image = "${registry}/" + repo + ':1.0.0'
try {
    def log = new File(basedir, 'build.log').text
    assert log.contains('(not pushed)')
    def json = new JsonSlurper().parse(new File(basedir, "target/portainer/skip-push-${runId}.json"))
    assert json.imageId ==~ /sha256:[0-9a-f]{64}/
    assert json.digest == null
    assert !new File(basedir, "target/portainer/skip-push-${runId}.digest").exists()
    assert ['docker', 'image', 'inspect', image].execute().waitFor() == 0
    def manifest = new URL("http://${registry}/v2/${repo}/manifests/1.0.0").openConnection()
    assert manifest.responseCode == 404
} finally {
    ['docker', 'rmi', '-f', image].execute().waitFor()
}

// Properties alone configure the build: both tags are pushed with the digest the build reports.
import groovy.json.JsonSlurper

def repo = "invoker/properties-only-${runId}"
def image = "${registry}/" + repo
def json = new JsonSlurper().parse(new File(basedir, "target/portainer/properties-only-${runId}.json"))
try {
    assert json.image == image
    assert json.tags == ['it', 'latest']
    assert json.digest ==~ /sha256:[0-9a-f]{64}/
    ['it', 'latest'].each { tag ->
        def manifest = new URL("http://${registry}/v2/${repo}/manifests/${tag}").openConnection()
        manifest.setRequestProperty('Accept', 'application/vnd.docker.distribution.manifest.v2+json')
        assert manifest.responseCode == 200
        assert manifest.getHeaderField('Docker-Content-Digest') == json.digest
    }
    def out = new StringBuilder(), err = new StringBuilder()
    def run = ['docker', 'run', '--rm', image + ':it'].execute()
    run.waitForProcessOutput(out, err)
    assert run.exitValue() == 0 && out.toString().trim() == 'configured by properties' : "docker run said: $out $err"
} finally {
    ['docker', 'rmi', '-f', image + ':it', image + ':latest'].execute().waitFor()
}

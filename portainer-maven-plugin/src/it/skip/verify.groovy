// -Dportainer.skip: one info line, and nothing was packed, staged or built.
def log = new File(basedir, 'build.log').text
assert log.contains('[INFO] Skipping portainer:build (portainer.skip=true)')
assert !log.contains('Packed ')
assert !new File(basedir, 'target/portainer').exists()
assert ['docker', 'image', 'inspect', "${registry}/invoker/skip-${runId}:1.0.0"].execute().waitFor() != 0

// A single project without its Dockerfile fails (in a reactor it would be skipped), before anything is staged.
def log = new File(basedir, 'build.log').text
assert log.contains('BUILD FAILURE')
assert log.contains('No Dockerfile in the build context')
assert log.contains('(neither Dockerfile nor dockerfile): create one, or set <dockerfile> to its path')
assert !log.contains('Packed context')
def work = new File(basedir, 'target/portainer')
assert !work.exists() || !work.listFiles().any { it.name.endsWith('.tar.gz') }

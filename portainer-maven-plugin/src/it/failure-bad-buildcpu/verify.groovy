// A resource request Mesos could never satisfy fails at once, naming the parameter and its property.
def log = new File(basedir, 'build.log').text
assert log.contains('BUILD FAILURE')
assert log.contains('buildCpu must be a number of CPUs more than 0 (got 0.0); fix <buildCpu> (portainer.buildCpu)')
assert !log.contains('Packed context')
// Said once, in Maven's terms: Maven appends a cause's message that the failure's does not contain.
def failure = log.readLines().find { it.contains('[ERROR] Failed to execute goal') }
assert failure.endsWith('fix <buildCpu> (portainer.buildCpu) -> [Help 1]') : failure

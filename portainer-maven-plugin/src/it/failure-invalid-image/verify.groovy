// An image name Docker would refuse fails before anything is packed, naming the parameter to fix.
def log = new File(basedir, 'build.log').text
assert log.contains('BUILD FAILURE')
assert log.contains("Invalid image name 'Team/App'")
assert log.contains('portainer.image')
assert !log.contains('Packed context')

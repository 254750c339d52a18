// portainer:help by its prefix (pluginGroups in settings.xml) where there is no pom: the reference reads as written.
def log = new File(basedir, 'build.log').text
assert log.contains('BUILD SUCCESS') : log
def text = log.replaceAll(/\s+/, ' ')
assert text.contains('portainer:build')
assert text.contains('<tags><tag>${project.version}</tag><tag>latest</tag></tags>') : text
assert text.contains('e.g. ${project.basedir}/src/main/docker.') : text
assert text.contains('filterDockerfile')
assert !text.contains('${project.version latest') && !text.contains('${project.basedir/src')

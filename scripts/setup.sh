#!/usr/bin/env bash
# Prepares a Debian 12 machine for Portainer's examples and tests, idempotently:
# installs Docker, a registry and busybox from Debian, starts dockerd and a plain-HTTP registry on
# 127.0.0.1:5000 if they are not running, and builds the base image the examples use
# (127.0.0.1:5000/portainer/busybox:latest, FROM scratch + busybox-static, since Docker Hub may be unreachable).
# For the credential tests it also starts a second registry on 127.0.0.1:5001 that requires htpasswd basic auth,
# user "portainer", password "it-secret-7c1e94d2" (fixed and public: a test fixture, nothing else; recorded in
# $PORTAINER_SERVICES_DIR/registry-auth/credentials). Docker talks plain HTTP to 127.0.0.0/8 registries, auth included.
# Run as root (or with sudo). State lives under $PORTAINER_SERVICES_DIR (default /var/tmp/portainer-services).
set -euo pipefail

state=${PORTAINER_SERVICES_DIR:-/var/tmp/portainer-services}
registry=127.0.0.1:5000
mkdir -p "$state"

log() { printf '[setup] %s\n' "$*"; }

missing=()
command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
command -v docker >/dev/null 2>&1 || missing+=(docker.io)
command -v docker-registry >/dev/null 2>&1 || missing+=(docker-registry)
[ -x /bin/busybox ] && dpkg -s busybox-static >/dev/null 2>&1 || missing+=(busybox-static)
command -v curl >/dev/null 2>&1 || missing+=(curl)
command -v htpasswd >/dev/null 2>&1 || missing+=(apache2-utils)
{ command -v java && command -v jlink; } >/dev/null 2>&1 || missing+=(openjdk-17-jdk-headless)
if [ ${#missing[@]} -gt 0 ]; then
  log "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! docker info >/dev/null 2>&1; then
  log "starting dockerd (log: $state/dockerd.log)"
  nohup dockerd >"$state/dockerd.log" 2>&1 &
  for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && break; sleep 1; done
  docker info >/dev/null 2>&1 || { log "dockerd did not start:"; tail -n 30 "$state/dockerd.log"; exit 1; }
fi

if ! curl -fsS "http://$registry/v2/" >/dev/null 2>&1; then
  log "starting a registry on $registry (log: $state/registry.log)"
  cat >"$state/registry.yml" <<YML
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $state/registry
  delete:
    enabled: true
http:
  addr: $registry
YML
  nohup docker-registry serve "$state/registry.yml" >"$state/registry.log" 2>&1 &
  for _ in $(seq 1 30); do curl -fsS "http://$registry/v2/" >/dev/null 2>&1 && break; sleep 1; done
  curl -fsS "http://$registry/v2/" >/dev/null || { log "registry did not start:"; tail -n 30 "$state/registry.log"; exit 1; }
fi

auth_registry=127.0.0.1:5001
auth_user=portainer
auth_password=it-secret-7c1e94d2
if [ "$(curl -s -o /dev/null -w '%{http_code}' "http://$auth_registry/v2/")" != 401 ]; then
  log "starting a registry with htpasswd auth on $auth_registry (log: $state/registry-auth.log)"
  mkdir -p "$state/registry-auth"
  htpasswd -Bbn "$auth_user" "$auth_password" >"$state/registry-auth/htpasswd"
  printf 'registry=%s\nusername=%s\npassword=%s\n' "$auth_registry" "$auth_user" "$auth_password" \
    >"$state/registry-auth/credentials"
  cat >"$state/registry-auth.yml" <<YML
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $state/registry-auth/data
  delete:
    enabled: true
auth:
  htpasswd:
    realm: portainer-it
    path: $state/registry-auth/htpasswd
http:
  addr: $auth_registry
YML
  nohup docker-registry serve "$state/registry-auth.yml" >"$state/registry-auth.log" 2>&1 &
  for _ in $(seq 1 30); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "http://$auth_registry/v2/")" = 401 ] && break; sleep 1
  done
  [ "$(curl -s -o /dev/null -w '%{http_code}' "http://$auth_registry/v2/")" = 401 ] \
    || { log "registry with auth did not start:"; tail -n 30 "$state/registry-auth.log"; exit 1; }
fi
curl -fsS -u "$auth_user:$auth_password" "http://$auth_registry/v2/" >/dev/null \
  || { log "registry $auth_registry refuses $auth_user's password; remove $state/registry-auth and rerun"; exit 1; }

base=$registry/portainer/busybox:latest
if ! curl -fsS "http://$registry/v2/portainer/busybox/manifests/latest" \
     -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' >/dev/null 2>&1 \
   || ! docker image inspect "$base" >/dev/null 2>&1; then
  log "building the base image $base from busybox-static"
  ctx=$(mktemp -d)
  trap 'rm -rf "$ctx"' EXIT
  cp /bin/busybox "$ctx/busybox"
  cat >"$ctx/Dockerfile" <<'DOCKERFILE'
FROM scratch
COPY busybox /bin/busybox
RUN ["/bin/busybox", "--install", "-s", "/bin"]
CMD ["/bin/sh"]
DOCKERFILE
  docker build -q -t "$base" -t portainer/busybox:latest "$ctx" >/dev/null
  docker push -q "$base" >/dev/null
fi
auth_base=$auth_registry/portainer/busybox:latest
if ! curl -fsS -u "$auth_user:$auth_password" "http://$auth_registry/v2/portainer/busybox/manifests/latest" \
     -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' >/dev/null 2>&1; then
  log "pushing the base image to $auth_base"
  # A throw-away client config: the test password must not stay in root's ~/.docker/config.json, where it
  # would silently make "missing credentials" tests pass.
  login_config=$(mktemp -d)
  docker tag "$base" "$auth_base"
  echo "$auth_password" | DOCKER_CONFIG=$login_config docker login -u "$auth_user" --password-stdin "$auth_registry" >/dev/null 2>&1
  DOCKER_CONFIG=$login_config docker push -q "$auth_base" >/dev/null
  rm -rf "$login_config"
  # Untagged here, so that a build FROM it must pull it with credentials.
  docker rmi "$auth_base" >/dev/null
fi
# A Java runtime image for the Java examples (Docker Hub's JRE images are out of reach): a jlink'ed runtime of
# this machine's JDK on the busybox base, with the glibc libraries the java launcher links against.
jre=$registry/portainer/jre:17
if ! curl -fsS "http://$registry/v2/portainer/jre/manifests/17" \
     -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' >/dev/null 2>&1; then
  command -v jlink >/dev/null || { log "jlink not found: install a JDK 17+ (openjdk-17-jdk-headless)"; exit 1; }
  log "building the Java runtime image $jre with jlink"
  jctx=$(mktemp -d)
  jlink --add-modules java.base,java.logging,java.net.http --strip-debug --no-header-files --no-man-pages \
    --output "$jctx/jre" >/dev/null
  # Every shared library the runtime needs, at the path the dynamic loader looks for it.
  find "$jctx/jre" -name '*.so' -o -path '*/bin/java' | xargs ldd 2>/dev/null | awk '/=> \//{print $3} /^\t\/.*ld-linux/{print $1}' \
    | sort -u | while read -r lib; do mkdir -p "$jctx/root$(dirname "$lib")"; cp -L "$lib" "$jctx/root$lib"; done
  cat >"$jctx/Dockerfile" <<DOCKERFILE
FROM $base
COPY root/ /
COPY jre /opt/java
ENV JAVA_HOME=/opt/java PATH=/opt/java/bin:/bin
DOCKERFILE
  docker build -q -t "$jre" "$jctx" >/dev/null
  docker push -q "$jre" >/dev/null
  rm -rf "$jctx"
fi
log "ready: docker $(docker version -f '{{.Server.Version}}'), registry http://$registry, base images $base, $jre;"\
" registry with auth http://$auth_registry ($auth_user)"

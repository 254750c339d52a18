#!/bin/sh
# Benchmarks; never part of `mvn verify` (the module is only in the bench profile). Run from anywhere.
#   benchmarks/run.sh all [--reps 5] [--large-reps 3] [--only overhead,large,packing,many] ...
#       the whole suite: portainer:build on the embedded local master against docker build + docker push on the
#       same daemon (trivial image; large contexts, also against docker-maven-plugin), packing against
#       tar | gzip -1, 16 images, log latency, heap and RSS; prints a table
#       (benchmarks/suite.py --help lists the options). --master host:port runs every case once more against a
#       real Mesos master, docker/dmp baselines measured again beside it; its rows are marked [host:port].
#   benchmarks/run.sh staging [work-dir] [files] [total-MB]
#       pack and stage a generated 500 MB / 20,000-file context against tar | gzip -1 (StagingBenchmark).
set -eu
cd "$(dirname "$0")/.."
what="${1:-staging}"
[ $# -gt 0 ] && shift
./mvnw -B -q -o -Pbench -pl benchmarks -am package -DskipTests
case "$what" in
  all)
    exec python3 benchmarks/suite.py "$@" ;;
  staging)
    exec java -Xmx512m -XX:+UseG1GC \
      -cp "benchmarks/target/portainer-benchmarks-0.1.0-SNAPSHOT.jar:$(cat benchmarks/target/classpath.txt)" \
      dev.portainer.bench.StagingBenchmark "${1:-target/bench}" "${2:-20000}" "${3:-500}" ;;
  *)
    echo "usage: benchmarks/run.sh all [suite options] | staging [work-dir] [files] [total-MB]" >&2; exit 2 ;;
esac

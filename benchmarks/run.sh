#!/bin/sh
# Packs and stages a generated 500 MB context of 20,000 files and compares with `tar -cf - . | gzip -1`.
# Usage: benchmarks/run.sh [work-dir] [files] [total-MB]      (run from the repository root)
set -eu
cd "$(dirname "$0")/.."
./mvnw -B -q -Pbench -pl benchmarks -am package -DskipTests
exec java -Xmx512m -XX:+UseG1GC \
  -cp "benchmarks/target/portainer-benchmarks-0.1.0-SNAPSHOT.jar:$(cat benchmarks/target/classpath.txt)" \
  dev.portainer.bench.StagingBenchmark "${1:-target/bench}" "${2:-20000}" "${3:-500}"

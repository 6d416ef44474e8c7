#!/usr/bin/env bash
# Builds (if needed) and runs the JMH benchmarks; arguments go to JMH, e.g.
#   benchmarks/run.sh                         # everything, with each benchmark's own iteration counts
#   benchmarks/run.sh ShardLookup -f 1 -wi 2 -i 3
#   benchmarks/run.sh -l                      # list benchmarks;  -h for JMH's options
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jar="$root/benchmarks/target/orchiddb-benchmarks.jar"
if [ ! -f "$jar" ] || [ -n "$(find "$root/benchmarks/src" "$root/node/src/main" "$root/proto/src/main" -newer "$jar" -print -quit)" ]; then
  (cd "$root" && ./mvnw -q -B -Pbench -pl benchmarks -am package -DskipTests)
fi
exec java -cp "$jar:$root/benchmarks/target/lib/*" org.openjdk.jmh.Main "$@"

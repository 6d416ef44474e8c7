#!/usr/bin/env bash
# Session 17: resident memory with 1M keys (benchmarks/memory.sh) under other collectors than G1.
# Each variant: a fresh deploy/local-cluster.sh start 3 (one shard), every process with the options.
set -x
cd /tmp/wt-bench
export ORCHIDDB_LOCAL_DIR=/tmp/orchid-bench
rss() { for i in 1 2 3; do echo "n$i $(ps -o rss= -p "$(cat /tmp/orchid-bench/n$i.pid)" || echo '?') KiB"; done; }
for opts in \
  "-XX:+UseShenandoahGC -XX:+UnlockExperimentalVMOptions -XX:ShenandoahUncommitDelay=5000 -XX:ShenandoahGuaranteedGCInterval=30000" \
  "-XX:+UseShenandoahGC -XX:ShenandoahGCHeuristics=compact"; do
  rm -rf /tmp/orchid-bench
  ORCHIDDB_JAVA_OPTS="$opts" deploy/local-cluster.sh start 3
  echo "== $opts"; date
  echo "idle, no data:"; rss
  benchmarks/memory.sh
  deploy/local-cluster.sh stop
done

#!/usr/bin/env bash
# Session 20: Ratis's log.appender.wait-time.min (default 1 ms between sends to a follower) against 0,
# alternated, each a fresh cluster with the routers in the nodes and the lean node options.
# (-Dorchid.cache and -Dorchid.waitmin: a temporary build read the entry cache size and wait-time.min in µs from them.)
export ORCHIDDB_LOCAL_DIR=/tmp/orchid-bench
out=/tmp/ab/session20-waitmin-ab.jsonl
bench() { /tmp/wt-bench/orchiddb bench "$@"; }
common=(--keys 100000 --value-bytes 100 --seed 7 --duration 15s --warmup 10s --json $out)
LEAN="-XX:-TieredCompilation -Dorchid.cache=1MB -XX:MaxNewSize=16m -XX:MaxHeapFreeRatio=20"
phase() { # label extra-opts
  rm -rf /tmp/orchid-bench
  (cd /tmp/wt-bench && ORCHIDDB_JAVA_OPTS="$LEAN $2" ORCHIDDB_NODE_ARGS="--log-segment-bytes 4718592" MALLOC_ARENA_MAX=2 \
    ORCHIDDB_ROUTERS=embedded deploy/local-cluster.sh start 3 >/dev/null)
  bench put --keys 100000 --value-bytes 100 --seed 7 --prefill --ops 1 --warmup 0s >/dev/null 2>&1
  bench mixed --read-percent 50 --keys 100000 --value-bytes 100 --seed 7 -c 64 --duration 30s --warmup 0s >/dev/null 2>&1
  for run in 1 1 64 256; do
    bench put -c $run "${common[@]}" --label "$1-put-c$run" >/dev/null 2>&1
  done
  (cd /tmp/wt-bench && deploy/local-cluster.sh stop >/dev/null)
}
date
for r in 1 2; do phase wait1ms ""; phase wait0 "-Dorchid.waitmin=0"; done
date

#!/usr/bin/env bash
# Session 20: node memory candidates against the current defaults, alternated A B A B, each a fresh
# cluster with the routers in the nodes. B: C2 only (-XX:-TieredCompilation), Raft log cache 1 MB
# (-Dorchid.cache: a temporary build read the cache size from it) and 4.5 MiB segments, young generation at most 16 MiB, MaxHeapFreeRatio 20, MALLOC_ARENA_MAX=2.
export ORCHIDDB_LOCAL_DIR=/tmp/orchid-bench
out=/tmp/ab/session20-lean-ab.jsonl
bench() { /tmp/wt-bench/orchiddb bench "$@"; }
common=(--keys 100000 --value-bytes 100 --seed 7 --duration 15s --warmup 10s --json $out)
phase() { # label
  local label=$1
  rm -rf /tmp/orchid-bench
  if [ "$label" = lean ]; then
    (cd /tmp/wt-bench && ORCHIDDB_JAVA_OPTS="-XX:-TieredCompilation -Dorchid.cache=1MB -XX:MaxNewSize=16m -XX:MaxHeapFreeRatio=20" \
      ORCHIDDB_NODE_ARGS="--log-segment-bytes 4718592" MALLOC_ARENA_MAX=2 ORCHIDDB_ROUTERS=embedded deploy/local-cluster.sh start 3 >/dev/null)
  else
    (cd /tmp/wt-bench && ORCHIDDB_ROUTERS=embedded deploy/local-cluster.sh start 3 >/dev/null)
  fi
  bench put --keys 100000 --value-bytes 100 --seed 7 --prefill --ops 1 --warmup 0s >/dev/null 2>&1
  bench mixed --read-percent 50 --keys 100000 --value-bytes 100 --seed 7 -c 64 --duration 60s --warmup 0s >/dev/null 2>&1
  for run in "put x 1" "put x 64" "put x 256" "get eventual 256" "get strong 64" "get eventual 1" "get strong 1"; do
    set -- $run
    local cons=(); [ "$2" != x ] && cons=(--consistency $2)
    bench $1 "${cons[@]}" -c $3 "${common[@]}" --label "$label-$1-$2-c$3" >/dev/null 2>&1
  done
  for i in 1 2 3; do echo "$label n$i RSS $(( $(ps -o rss= -p $(cat /tmp/orchid-bench/n$i.pid)) / 1024 )) MiB after load"; done
  (cd /tmp/wt-bench && deploy/local-cluster.sh stop >/dev/null)
}
date
for r in 1 2; do phase current; phase lean; done
date

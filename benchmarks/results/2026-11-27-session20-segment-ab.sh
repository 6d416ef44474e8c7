#!/usr/bin/env bash
# Session 20: 2 MiB log segments (the new default) against 4.5 MiB (the previous default, set with
# --log-segment-bytes), alternated, each a fresh cluster with the routers in the nodes.
export ORCHIDDB_LOCAL_DIR=/tmp/orchid-bench
out=/tmp/ab/session20-segment-ab.jsonl
bench() { /tmp/wt-bench/orchiddb bench "$@"; }
common=(--keys 100000 --value-bytes 100 --seed 7 --duration 15s --warmup 10s --json $out)
phase() { # label node-args
  rm -rf /tmp/orchid-bench
  (cd /tmp/wt-bench && ORCHIDDB_NODE_ARGS="$2" ORCHIDDB_ROUTERS=embedded deploy/local-cluster.sh start 3 >/dev/null)
  bench put --keys 100000 --value-bytes 100 --seed 7 --prefill --ops 1 --warmup 0s >/dev/null 2>&1
  bench mixed --read-percent 50 --keys 100000 --value-bytes 100 --seed 7 -c 64 --duration 30s --warmup 0s >/dev/null 2>&1
  for run in 1 64 256; do
    bench put -c $run "${common[@]}" --label "$1-put-c$run" >/dev/null 2>&1
  done
  ls /tmp/orchid-bench/n1/raft/*/current | grep -c log_ | sed "s/^/$1 n1 segment files in its groups' current dirs: /"
  (cd /tmp/wt-bench && deploy/local-cluster.sh stop >/dev/null)
}
date
for r in 1 2; do phase seg4.5 "--log-segment-bytes 4718592"; phase seg2 ""; done
date

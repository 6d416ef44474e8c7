#!/usr/bin/env bash
# Session 26 (BENCHMARKS "twenty-fourth session"): the router's per-request timeouts on a timer
# wheel (Deadlines) instead of CompletableFuture.orTimeout. /tmp/wt-c is 7107cbb as built; /tmp/wt-d
# the same plus that change. Three rounds, the order flipped every round.
export ORCHIDDB_LOCAL_DIR=/tmp/orchid-bench
out=/tmp/ab/session26-deadlines-ab.jsonl
common=(--keys 100000 --value-bytes 100 --seed 7 --warmup 5s --json $out)
phase() { # label tree
  local T=$2
  bench() { $T/orchiddb bench "$@"; }
  rm -rf /tmp/orchid-bench
  (cd $T && ORCHIDDB_ROUTERS=embedded deploy/local-cluster.sh start 3 >/dev/null) || echo "cluster start FAILED"
  bench put --keys 100000 --value-bytes 100 --seed 7 --prefill --ops 1 --warmup 0s >/dev/null 2>&1 || echo "FAILED prefill"
  bench mixed --read-percent 50 --keys 100000 --value-bytes 100 --seed 7 -c 64 --duration 60s --warmup 0s >/dev/null 2>&1 || echo "FAILED mixed"
  bench get --consistency strong -c 1 --duration 15s "${common[@]}" --label "$1-strong-c1" >/dev/null 2>&1 || echo "FAILED strong"
  bench get --consistency eventual -c 1 --duration 15s "${common[@]}" --label "$1-eventual-c1" >/dev/null 2>&1 || echo "FAILED eventual"
  bench put -c 1 --duration 20s "${common[@]}" --label "$1-put-c1" >/dev/null 2>&1 || echo "FAILED put c1"
  bench put -c 64 --duration 15s "${common[@]}" --label "$1-put-c64" >/dev/null 2>&1 || echo "FAILED put c64"
  (cd $T && deploy/local-cluster.sh stop >/dev/null)
  sleep 5
}
date
for r in 1 2 3; do if [ $((r % 2)) = 0 ]; then phase wheel /tmp/wt-d; phase orTimeout /tmp/wt-c; else phase orTimeout /tmp/wt-c; phase wheel /tmp/wt-d; fi; done
date

#!/usr/bin/env bash
# Session 27 (BENCHMARKS "twenty-fifth session"): a leader's term requests (ReadIndex rounds) as
# messages of one stream per follower (TermStreams) instead of a unary call each. /tmp/wt-a is
# 2766016 as built; /tmp/wt-b the same plus that change. Three rounds, the order flipped every round.
export ORCHIDDB_LOCAL_DIR=/tmp/orchid-bench
out=/tmp/ab/session27-terms-ab.jsonl
common=(--keys 100000 --value-bytes 100 --seed 7 --warmup 5s --json $out)
phase() { # label tree
  local T=$2
  bench() { $T/orchiddb bench "$@"; }
  rm -rf /tmp/orchid-bench
  (cd $T && ORCHIDDB_ROUTERS=embedded deploy/local-cluster.sh start 3 >/dev/null) || echo "cluster start FAILED"
  bench put --keys 100000 --value-bytes 100 --seed 7 --prefill --ops 1 --warmup 0s >/dev/null 2>&1 || echo "FAILED prefill"
  bench get --consistency strong --keys 100000 --seed 7 -c 64 --duration 45s --warmup 0s >/dev/null 2>&1 || echo "FAILED warm"
  bench get --consistency strong -c 1 --duration 20s "${common[@]}" --label "$1-strong-c1" >/dev/null 2>&1 || echo "FAILED strong c1"
  bench get --consistency strong -c 16 --duration 15s "${common[@]}" --label "$1-strong-c16" >/dev/null 2>&1 || echo "FAILED strong c16"
  bench get --consistency strong -c 64 --duration 15s "${common[@]}" --label "$1-strong-c64" >/dev/null 2>&1 || echo "FAILED strong c64"
  bench get --consistency eventual -c 1 --duration 10s "${common[@]}" --label "$1-eventual-c1" >/dev/null 2>&1 || echo "FAILED eventual"
  (cd $T && deploy/local-cluster.sh stop >/dev/null)
  sleep 5
}
date
for r in 1 2 3; do if [ $((r % 2)) = 0 ]; then phase stream /tmp/wt-b; phase unary /tmp/wt-a; else phase unary /tmp/wt-a; phase stream /tmp/wt-b; fi; done
date

#!/usr/bin/env bash
# Session 27 (BENCHMARKS "twenty-fifth session"): term streams on the calling router's event loop
# (grpc-netty-shaded, per node and per loop) instead of on Ratis's shaded gRPC. /tmp/wt-c is 6243242
# as built; /tmp/wt-d the same plus that change. Three rounds, the order flipped every round.
export ORCHIDDB_LOCAL_DIR=/tmp/orchid-bench
out=/tmp/ab/session27-loops-ab.jsonl
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
for r in 1 2 3; do if [ $((r % 2)) = 0 ]; then phase loops /tmp/wt-d; phase before /tmp/wt-c; else phase before /tmp/wt-c; phase loops /tmp/wt-d; fi; done
date

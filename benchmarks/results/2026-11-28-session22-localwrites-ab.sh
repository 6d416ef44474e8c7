#!/usr/bin/env bash
# Session 22: writes in-process at the leader (ad6fa9f) against the build before (ddc777b),
# alternated twice, each a fresh cluster with the routers in the nodes (n1 leads by priority; the
# load tool uses n1's router), prefill and 60 s of mixed load, then put c=1 twice, c=64, c=256 and
# strong get c=1; the router's local-write counter after each phase.
export ORCHIDDB_LOCAL_DIR=/tmp/orchid-bench
out=/tmp/ab/session22-localwrites2-ab.jsonl
common=(--keys 100000 --value-bytes 100 --seed 7 --duration 15s --warmup 10s --json $out)
phase() { # label tree
  local T=$2
  bench() { $T/orchiddb bench "$@"; }
  rm -rf /tmp/orchid-bench
  (cd $T && ORCHIDDB_ROUTERS=embedded deploy/local-cluster.sh start 3 >/dev/null)
  bench put --keys 100000 --value-bytes 100 --seed 7 --prefill --ops 1 --warmup 0s >/dev/null 2>&1
  bench mixed --read-percent 50 --keys 100000 --value-bytes 100 --seed 7 -c 64 --duration 60s --warmup 0s >/dev/null 2>&1
  for r in 1 2; do bench put -c 1 "${common[@]}" --label "$1-put-c1" >/dev/null 2>&1; done
  bench put -c 64 "${common[@]}" --label "$1-put-c64" >/dev/null 2>&1
  bench put -c 256 "${common[@]}" --label "$1-put-c256" >/dev/null 2>&1
  bench get --consistency strong -c 1 "${common[@]}" --label "$1-strong-c1" >/dev/null 2>&1
  echo "$1: $(curl -s http://127.0.0.1:4206/metrics | grep '^orchiddb_router_local_writes' | tr '\n' ' ')"
  (cd $T && deploy/local-cluster.sh stop >/dev/null)
  sleep 5
}
date
for r in 1 2; do phase before /tmp/wt-base; phase local /tmp/wt-new; done
date

#!/usr/bin/env bash
# Session 23, second A/B of snapshots in the background (async) against 6c1cfca (before): the
# first A/B had puts at c=64 12% apart. Alternated twice, each a fresh cluster with the routers in
# the nodes, prefill of 100k keys and 60 s of mixed load, then put c=1 (40 s) and put c=64 twice
# (30 s each).
export ORCHIDDB_LOCAL_DIR=/tmp/orchid-bench
out=/tmp/ab/session23-snapshot-ab2.jsonl
common=(--keys 100000 --value-bytes 100 --seed 7 --warmup 10s --json $out)
phase() { # label tree
  local T=$2
  bench() { $T/orchiddb bench "$@"; }
  rm -rf /tmp/orchid-bench
  (cd $T && ORCHIDDB_ROUTERS=embedded deploy/local-cluster.sh start 3 >/dev/null)
  bench put --keys 100000 --value-bytes 100 --seed 7 --prefill --ops 1 --warmup 0s >/dev/null 2>&1
  bench mixed --read-percent 50 --keys 100000 --value-bytes 100 --seed 7 -c 64 --duration 60s --warmup 0s >/dev/null 2>&1
  bench put -c 1 --duration 40s "${common[@]}" --label "$1-put-c1" >/dev/null 2>&1
  for r in 1 2; do bench put -c 64 --duration 30s "${common[@]}" --label "$1-put-c64" >/dev/null 2>&1; done
  echo "$1: $(grep -h 'wrote snapshot' /tmp/orchid-bench/n*.log | wc -l) background snapshots logged"
  (cd $T && deploy/local-cluster.sh stop >/dev/null)
  sleep 5
}
date
for r in 1 2; do phase before /tmp/wt-base; phase async /tmp/wt-new; done
date

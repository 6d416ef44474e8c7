#!/usr/bin/env bash
# Session 23: snapshots that also wait for log of a quarter of the shard's size (gate: /tmp/wt-new2,
# ff24a5e plus that change) against ff24a5e (async: /tmp/wt-new), alternated, 1M keys, a fresh
# cluster with the routers in the nodes, prefill of 1M keys and 60 s of puts at c=1 not measured
# (the prefill's snapshots end), then put c=1 for 60 s and put c=64 for 30 s; the snapshots the
# nodes wrote during the measured runs are counted.
export ORCHIDDB_LOCAL_DIR=/tmp/orchid-bench
out=/tmp/ab/session23-snapshot-gate-1m-b.jsonl
common=(--keys 1000000 --value-bytes 100 --seed 7 --warmup 10s --json $out)
phase() { # label tree
  local T=$2
  bench() { $T/orchiddb bench "$@"; }
  rm -rf /tmp/orchid-bench
  (cd $T && ORCHIDDB_ROUTERS=embedded deploy/local-cluster.sh start 3 >/dev/null)
  bench put --keys 1000000 --value-bytes 100 --seed 7 --prefill --ops 1 --warmup 0s >/dev/null 2>&1
  bench put -c 1 --keys 1000000 --value-bytes 100 --seed 7 --duration 60s --warmup 0s >/dev/null 2>&1
  local before; before=$(grep -h 'wrote snapshot' /tmp/orchid-bench/n*.log | wc -l)
  bench put -c 1 --duration 60s "${common[@]}" --label "$1-put-c1" >/dev/null 2>&1
  bench put -c 64 --duration 30s "${common[@]}" --label "$1-put-c64" >/dev/null 2>&1
  echo "$1: $before snapshots written before the measured runs, $(( $(grep -h 'wrote snapshot' /tmp/orchid-bench/n*.log | wc -l) - before )) during them (3 nodes)"
  (cd $T && deploy/local-cluster.sh stop >/dev/null)
  sleep 5
}
date
for r in 1 2; do phase async /tmp/wt-new; phase gate /tmp/wt-new2; done
date

#!/usr/bin/env bash
# Session 23: the same, with 1M keys (a snapshot file of ~136 MB per node): before (6c1cfca) and
# async (snapshots in the background), once each, a fresh cluster with the routers in the nodes,
# prefill of 1M keys, then put c=1 for 60 s (a shard snapshots every ~10k entries, ~14 s here) and
# put c=64 for 30 s.
export ORCHIDDB_LOCAL_DIR=/tmp/orchid-bench
out=/tmp/ab/session23-snapshot-1m.jsonl
common=(--keys 1000000 --value-bytes 100 --seed 7 --warmup 10s --json $out)
phase() { # label tree
  local T=$2
  bench() { $T/orchiddb bench "$@"; }
  rm -rf /tmp/orchid-bench
  (cd $T && ORCHIDDB_ROUTERS=embedded deploy/local-cluster.sh start 3 >/dev/null)
  bench put --keys 1000000 --value-bytes 100 --seed 7 --prefill --ops 1 --warmup 0s >/dev/null 2>&1
  bench put -c 1 --duration 60s "${common[@]}" --label "$1-put-c1" >/dev/null 2>&1
  bench put -c 64 --duration 30s "${common[@]}" --label "$1-put-c64" >/dev/null 2>&1
  echo "$1: snapshots written in the background (async only):"
  grep -h 'wrote snapshot' /tmp/orchid-bench/n*.log | awk '{print "  ", $1, $9, $10, $11, $12, $13}' | sort | tail -12
  (cd $T && deploy/local-cluster.sh stop >/dev/null)
  sleep 5
}
date
phase before /tmp/wt-base; phase async /tmp/wt-new
date

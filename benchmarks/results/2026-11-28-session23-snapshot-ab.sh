#!/usr/bin/env bash
# Session 23: snapshots written in the background (/tmp/wt-new: the working tree committed as the
# next commit after 6c1cfca) against the build before (/tmp/wt-base: 6c1cfca),
# alternated twice, each a fresh cluster with the routers in the nodes, prefill of 100k keys and
# 60 s of mixed load, then put c=1 twice (40 s: at ~700 entries/s a shard snapshots every ~14 s
# with the default snapshot-threshold 10000), put c=64 and c=256 (30 s).
export ORCHIDDB_LOCAL_DIR=/tmp/orchid-bench
out=/tmp/ab/session23-snapshot-ab.jsonl
common=(--keys 100000 --value-bytes 100 --seed 7 --warmup 10s --json $out)
phase() { # label tree
  local T=$2
  bench() { $T/orchiddb bench "$@"; }
  rm -rf /tmp/orchid-bench
  (cd $T && ORCHIDDB_ROUTERS=embedded deploy/local-cluster.sh start 3 >/dev/null)
  bench put --keys 100000 --value-bytes 100 --seed 7 --prefill --ops 1 --warmup 0s >/dev/null 2>&1
  bench mixed --read-percent 50 --keys 100000 --value-bytes 100 --seed 7 -c 64 --duration 60s --warmup 0s >/dev/null 2>&1
  for r in 1 2; do bench put -c 1 --duration 40s "${common[@]}" --label "$1-put-c1" >/dev/null 2>&1; done
  bench put -c 64 --duration 30s "${common[@]}" --label "$1-put-c64" >/dev/null 2>&1
  bench put -c 256 --duration 30s "${common[@]}" --label "$1-put-c256" >/dev/null 2>&1
  echo "$1: $(grep -h 'wrote snapshot' /tmp/orchid-bench/n*.log | wc -l) background snapshots logged"
  (cd $T && deploy/local-cluster.sh stop >/dev/null)
  sleep 5
}
date
for r in 1 2; do phase before /tmp/wt-base; phase async /tmp/wt-new; done
date

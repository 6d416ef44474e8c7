#!/usr/bin/env bash
# Session 24: heartbeats on the channel of appends (/tmp/wt-new, 0237379 and later) against Ratis's
# separate heartbeat channel (/tmp/wt-hb: the same tree with that one line removed), for the c=1
# reads the twenty-second session's table had low; alternated twice, each a fresh cluster with
# the routers in the nodes, prefill of 100k keys and 60 s of mixed load, then strong gets at c=1
# three times, eventual gets and puts at c=1 once.
export ORCHIDDB_LOCAL_DIR=/tmp/orchid-bench
out=/tmp/ab/session24-hb-ab.jsonl
common=(--keys 100000 --value-bytes 100 --seed 7 --warmup 5s --json $out)
phase() { # label tree
  local T=$2
  bench() { $T/orchiddb bench "$@"; }
  rm -rf /tmp/orchid-bench
  (cd $T && ORCHIDDB_ROUTERS=embedded deploy/local-cluster.sh start 3 >/dev/null)
  bench put --keys 100000 --value-bytes 100 --seed 7 --prefill --ops 1 --warmup 0s >/dev/null 2>&1
  bench mixed --read-percent 50 --keys 100000 --value-bytes 100 --seed 7 -c 64 --duration 60s --warmup 0s >/dev/null 2>&1
  for r in 1 2 3; do bench get --consistency strong -c 1 --duration 15s "${common[@]}" --label "$1-strong-c1" >/dev/null 2>&1; done
  bench get --consistency eventual -c 1 --duration 15s "${common[@]}" --label "$1-eventual-c1" >/dev/null 2>&1
  bench put -c 1 --duration 20s "${common[@]}" --label "$1-put-c1" >/dev/null 2>&1
  (cd $T && deploy/local-cluster.sh stop >/dev/null)
  sleep 5
}
date
for r in ${ROUNDS:-1 2}; do if [ "${REVERSE:-}" = 1 ]; then phase separate /tmp/wt-hb; phase shared /tmp/wt-new; else phase shared /tmp/wt-new; phase separate /tmp/wt-hb; fi; done
date

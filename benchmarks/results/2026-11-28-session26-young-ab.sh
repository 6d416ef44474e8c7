#!/usr/bin/env bash
# Session 26 (BENCHMARKS "twenty-fourth session"): the nodes' young-generation cap. /tmp/wt-a is
# 3459e66 as built (-XX:MaxNewSize=16m); /tmp/wt-b the same tree with -XX:MaxNewSize=32m in
# deploy/image/node-jvm.options. Three rounds, the order flipped every round. After each phase the
# collections of n1 (the shard's leader, and the router the load tool talks to) are printed.
export ORCHIDDB_LOCAL_DIR=/tmp/orchid-bench
out=/tmp/ab/session26-young-ab.jsonl
common=(--keys 100000 --value-bytes 100 --seed 7 --warmup 5s --json $out)
phase() { # label tree
  local T=$2
  bench() { $T/orchiddb bench "$@"; }
  rm -rf /tmp/orchid-bench
  (cd $T && ORCHIDDB_ROUTERS=embedded deploy/local-cluster.sh start 3 >/dev/null) || echo "cluster start FAILED"
  bench put --keys 100000 --value-bytes 100 --seed 7 --prefill --ops 1 --warmup 0s >/dev/null 2>&1 || echo "FAILED: $*"
  bench mixed --read-percent 50 --keys 100000 --value-bytes 100 --seed 7 -c 64 --duration 60s --warmup 0s >/dev/null 2>&1 || echo "FAILED: $*"
  bench put -c 64 --duration 15s "${common[@]}" --label "$1-put-c64" >/dev/null 2>&1 || echo "FAILED: $*"
  bench put -c 256 --duration 15s "${common[@]}" --label "$1-put-c256" >/dev/null 2>&1 || echo "FAILED: $*"
  bench get --consistency strong -c 1 --duration 15s "${common[@]}" --label "$1-strong-c1" >/dev/null 2>&1 || echo "FAILED: $*"
  local before; before=$(jstat -gc "$(cat /tmp/orchid-bench/n1.pid)" | tail -1 | awk '{print $13, $15}')
  bench put -c 1 --duration 30s "${common[@]}" --label "$1-put-c1" >/dev/null 2>&1 || echo "FAILED: $*"
  echo "$1 n1 young/full collections before and after put c=1: $before -> $(jstat -gc "$(cat /tmp/orchid-bench/n1.pid)" | tail -1 | awk '{print $13, $15}')"
  (cd $T && deploy/local-cluster.sh stop >/dev/null)
  sleep 5
}
date
for r in 1 2 3; do if [ $((r % 2)) = 0 ]; then phase young32 /tmp/wt-b; phase young16 /tmp/wt-a; else phase young16 /tmp/wt-a; phase young32 /tmp/wt-b; fi; done
date

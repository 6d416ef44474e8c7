#!/usr/bin/env bash
# Session 25 (BENCHMARKS "twenty-third session", "Memory"): node JIT options. /tmp/wt-a is 47b31c7
# as built (tiered compilation); /tmp/wt-b the same tree with -XX:-TieredCompilation
# -XX:CompileThreshold=1500 -XX:NewRatio=4 appended to deploy/image/node-jvm.options. Four rounds,
# the order flipped every round. ...-jit-ab1.jsonl is an earlier run of the same rows without
# NewRatio=4 (rounds 1-2 tiered first, rounds 3-4 C2 first).
export ORCHIDDB_LOCAL_DIR=/tmp/orchid-bench
out=/tmp/ab/session25-jit-ab2.jsonl
common=(--keys 100000 --value-bytes 100 --seed 7 --warmup 5s --json $out)
phase() { # label tree
  local T=$2
  bench() { $T/orchiddb bench "$@"; }
  rm -rf /tmp/orchid-bench
  (cd $T && ORCHIDDB_ROUTERS=embedded deploy/local-cluster.sh start 3 >/dev/null)
  bench put --keys 100000 --value-bytes 100 --seed 7 --prefill --ops 1 --warmup 0s >/dev/null 2>&1
  bench mixed --read-percent 50 --keys 100000 --value-bytes 100 --seed 7 -c 64 --duration 60s --warmup 0s >/dev/null 2>&1
  bench put -c 64 --duration 15s "${common[@]}" --label "$1-put-c64" >/dev/null 2>&1
  bench put -c 256 --duration 15s "${common[@]}" --label "$1-put-c256" >/dev/null 2>&1
  bench get --consistency strong -c 64 --duration 15s "${common[@]}" --label "$1-strong-c64" >/dev/null 2>&1
  bench get --consistency strong -c 1 --duration 15s "${common[@]}" --label "$1-strong-c1" >/dev/null 2>&1
  bench get --consistency eventual -c 1 --duration 15s "${common[@]}" --label "$1-eventual-c1" >/dev/null 2>&1
  bench put -c 1 --duration 20s "${common[@]}" --label "$1-put-c1" >/dev/null 2>&1
  (cd $T && deploy/local-cluster.sh stop >/dev/null)
  sleep 5
}
date
for r in 1 2 3 4; do if [ $((r % 2)) = 0 ]; then phase c2 /tmp/wt-b; phase tiered /tmp/wt-a; else phase tiered /tmp/wt-a; phase c2 /tmp/wt-b; fi; done
date

#!/usr/bin/env bash
# Session 21: puts at c=1 with tiered compilation (the default) against C2 only, alternated twice,
# each a fresh cluster with the routers in the nodes, prefill and 60 s of mixed load, then two runs.
export ORCHIDDB_LOCAL_DIR=/tmp/orchid-bench
out=/tmp/ab/session21-jit-c1-ab.jsonl
bench() { /tmp/wt-bench3/orchiddb bench "$@"; }
common=(--keys 100000 --value-bytes 100 --seed 7 --duration 15s --warmup 10s --json $out)
phase() { # label java-opts
  rm -rf /tmp/orchid-bench
  (cd /tmp/wt-bench3 && ORCHIDDB_JAVA_OPTS="$2" ORCHIDDB_ROUTERS=embedded deploy/local-cluster.sh start 3 >/dev/null)
  bench put --keys 100000 --value-bytes 100 --seed 7 --prefill --ops 1 --warmup 0s >/dev/null 2>&1
  bench mixed --read-percent 50 --keys 100000 --value-bytes 100 --seed 7 -c 64 --duration 60s --warmup 0s >/dev/null 2>&1
  for r in 1 2; do bench put -c 1 "${common[@]}" --label "$1-put-c1" >/dev/null 2>&1; done
  (cd /tmp/wt-bench3 && deploy/local-cluster.sh stop >/dev/null)
}
date
for r in 1 2; do phase tiered ""; phase c2only "-XX:-TieredCompilation"; done
date

#!/usr/bin/env bash
# Session 20: C2 only (the node default since c290002) against tiered compilation for the c=1 reads,
# alternated twice, each a fresh cluster with the routers in the nodes (committed defaults otherwise).
export ORCHIDDB_LOCAL_DIR=/tmp/orchid-bench
out=/tmp/ab/session20-jit-ab.jsonl
bench() { /tmp/wt-bench/orchiddb bench "$@"; }
common=(--keys 100000 --value-bytes 100 --seed 7 --duration 15s --warmup 10s --json $out)
phase() { # label java-opts
  rm -rf /tmp/orchid-bench
  (cd /tmp/wt-bench && ORCHIDDB_JAVA_OPTS="$2" ORCHIDDB_ROUTERS=embedded deploy/local-cluster.sh start 3 >/dev/null)
  bench put --keys 100000 --value-bytes 100 --seed 7 --prefill --ops 1 --warmup 0s >/dev/null 2>&1
  bench mixed --read-percent 50 --keys 100000 --value-bytes 100 --seed 7 -c 64 --duration 60s --warmup 0s >/dev/null 2>&1
  for r in 1 2; do
    bench get --consistency strong -c 1 "${common[@]}" --label "$1-strong-c1" >/dev/null 2>&1
    bench get --consistency eventual -c 1 "${common[@]}" --label "$1-eventual-c1" >/dev/null 2>&1
  done
  bench put -c 64 "${common[@]}" --label "$1-put-c64" >/dev/null 2>&1
  (cd /tmp/wt-bench && deploy/local-cluster.sh stop >/dev/null)
}
date
for r in 1 2; do phase c2only ""; phase tiered "-XX:+TieredCompilation"; done
date

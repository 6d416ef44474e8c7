#!/usr/bin/env bash
# Session 21: the thin rows of the full table repeated: strong and eventual gets at c=1 three times
# each and puts at c=64 twice, OrchidDB (fresh cluster, routers in the nodes, committed defaults)
# then etcd, each after a prefill and 60 s of mixed load.
export ORCHIDDB_LOCAL_DIR=/tmp/orchid-bench
out=/tmp/ab/session21-c1-repeat.jsonl
bench() { /tmp/wt-bench3/orchiddb bench "$@"; }
common=(--keys 100000 --value-bytes 100 --seed 7 --duration 15s --warmup 10s --json $out)
rows() { # label target-args...
  local label=$1; shift
  bench put "$@" --keys 100000 --value-bytes 100 --seed 7 --prefill --ops 1 --warmup 0s >/dev/null 2>&1
  bench mixed "$@" --read-percent 50 --keys 100000 --value-bytes 100 --seed 7 -c 64 --duration 60s --warmup 0s >/dev/null 2>&1
  for r in 1 2 3; do
    bench get "$@" --consistency strong -c 1 "${common[@]}" --label "$label-strong-c1" >/dev/null 2>&1
    bench get "$@" --consistency eventual -c 1 "${common[@]}" --label "$label-eventual-c1" >/dev/null 2>&1
  done
  for r in 1 2; do bench put "$@" -c 64 "${common[@]}" --label "$label-put-c64" >/dev/null 2>&1; done
}
date
rm -rf /tmp/orchid-bench
(cd /tmp/wt-bench3 && ORCHIDDB_ROUTERS=embedded deploy/local-cluster.sh start 3 >/dev/null)
rows orchiddb
(cd /tmp/wt-bench3 && deploy/local-cluster.sh stop >/dev/null)
cd /tmp/wt-bench3
benchmarks/etcd-cluster.sh start >/dev/null
rows etcd --target etcd --endpoints "$(benchmarks/etcd-cluster.sh endpoints)"
benchmarks/etcd-cluster.sh stop >/dev/null
date

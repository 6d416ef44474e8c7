#!/usr/bin/env bash
# Session 17, after the leadership check: c=1 reads repeated: OrchidDB (routers in the nodes), then etcd, then OrchidDB again.
set -x
cd /tmp/wt-bench
export ORCHIDDB_LOCAL_DIR=/tmp/orchid-bench
out=/tmp/wt-bench/benchmarks/results/2026-11-27-session17-c1-reads.jsonl
common=(--keys 100000 --value-bytes 100 --seed 7 -c 1 --duration 20s --warmup 20s --json $out)
orchid() {
  rm -rf /tmp/orchid-bench
  ORCHIDDB_ROUTERS=embedded deploy/local-cluster.sh start 3
  ./orchiddb bench put --keys 100000 --value-bytes 100 --seed 7 --prefill --ops 1 --warmup 0s >/dev/null
  ./orchiddb bench mixed --read-percent 50 --keys 100000 --value-bytes 100 --seed 7 -c 64 --duration 60s --warmup 0s >/dev/null 2>&1
  for r in 1 2 3; do
    for level in eventual strong; do
      ./orchiddb bench get --consistency $level "${common[@]}" --label "embedded-$1" 2>/dev/null | grep "^Throughput" | sed "s/^/orchiddb $level c=1 run $r: /"
    done
  done
  deploy/local-cluster.sh stop
}
orchid a
benchmarks/etcd-cluster.sh start
./orchiddb bench put --target etcd --endpoints "$(benchmarks/etcd-cluster.sh endpoints)" --keys 100000 --value-bytes 100 --seed 7 --prefill --ops 1 --warmup 0s >/dev/null
./orchiddb bench mixed --target etcd --endpoints "$(benchmarks/etcd-cluster.sh endpoints)" --read-percent 50 --keys 100000 --value-bytes 100 --seed 7 -c 64 --duration 60s --warmup 0s >/dev/null 2>&1
for r in 1 2 3; do
  for level in eventual strong; do
    ./orchiddb bench get --target etcd --endpoints "$(benchmarks/etcd-cluster.sh endpoints)" --consistency $level "${common[@]}" --label etcd 2>/dev/null | grep "^Throughput" | sed "s/^/etcd $level c=1 run $r: /"
  done
done
benchmarks/etcd-cluster.sh stop
orchid b
date

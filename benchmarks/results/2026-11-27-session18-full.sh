#!/usr/bin/env bash
# Session 18: the full matrix with the load tool's new closed loop (a402791), routers in the nodes, beside etcd;
# then c=1 gets three times each on each cluster.
set -x
cd /tmp/wt-bench
export ORCHIDDB_LOCAL_DIR=/tmp/orchid-bench
out=/tmp/wt-bench/benchmarks/results/2026-11-27-session18-full.jsonl
c1=(--keys 100000 --value-bytes 100 --seed 7 -c 1 --duration 20s --warmup 20s --json $out)
c1runs() {
  for r in 1 2 3; do
    for level in eventual strong; do
      ./orchiddb bench get "$@" --consistency $level "${c1[@]}" 2>/dev/null | grep "^Throughput" | sed "s/^/$level c=1 run $r: /"
    done
  done
}
rm -rf /tmp/orchid-bench
ORCHIDDB_ROUTERS=embedded deploy/local-cluster.sh start 3
date
benchmarks/matrix.sh orchiddb $out embedded-routers
date
c1runs --label embedded-routers-c1
date
curl -s 127.0.0.1:9101/metrics | grep -E '^orchiddb_node_read_index_(rounds|rounds_widened|reads)_total|^orchiddb_node_raft_leader\{group="shard'
deploy/local-cluster.sh stop
benchmarks/etcd-cluster.sh start
date
benchmarks/matrix.sh etcd $out etcd
date
c1runs --target etcd --endpoints "$(benchmarks/etcd-cluster.sh endpoints)" --label etcd-c1
date
benchmarks/etcd-cluster.sh stop

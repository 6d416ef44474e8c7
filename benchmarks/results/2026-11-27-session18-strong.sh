#!/usr/bin/env bash
# Session 18: strong gets after rounds ask one follower (fc2d0f4), beside etcd's linearizable gets, same session;
# then c=1 gets (eventual and strong) three times each on the same clusters.
set -x
cd /tmp/wt-bench
export ORCHIDDB_LOCAL_DIR=/tmp/orchid-bench
export MATRIX_WORKLOADS=strong
out=/tmp/wt-bench/benchmarks/results/2026-11-27-session18-strong.jsonl
c1=(--keys 100000 --value-bytes 100 --seed 7 -c 1 --duration 20s --warmup 20s --json $out)
scrape() { curl -s "127.0.0.1:910$1/metrics" | grep -E '^orchiddb_node_read_index_(rounds|rounds_widened|reads)_total|^orchiddb_node_raft_leader\{group="shard' ; }
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
for i in 1 2 3; do echo "n$i"; scrape $i; done
deploy/local-cluster.sh stop
benchmarks/etcd-cluster.sh start
benchmarks/matrix.sh etcd $out etcd
date
c1runs --target etcd --endpoints "$(benchmarks/etcd-cluster.sh endpoints)" --label etcd-c1
date
benchmarks/etcd-cluster.sh stop
rm -rf /tmp/orchid-bench
deploy/local-cluster.sh start 3
date
benchmarks/matrix.sh orchiddb $out separate-router
date
for i in 1 2 3; do echo "n$i"; scrape $i; done
deploy/local-cluster.sh stop

#!/usr/bin/env bash
# Session 17: strong gets after the ReadIndex fix, beside etcd's linearizable gets, same session.
set -x
cd /tmp/wt-bench
export ORCHIDDB_LOCAL_DIR=/tmp/orchid-bench
export MATRIX_WORKLOADS=strong
out=/tmp/wt-bench/benchmarks/results/2026-11-27-session17-strong.jsonl
scrape() { curl -s "127.0.0.1:910$1/metrics" | grep -E '^orchiddb_node_read_index_(rounds|reads)_total|^orchiddb_node_raft_leader\{group="shard' ; }
rm -rf /tmp/orchid-bench
ORCHIDDB_ROUTERS=embedded deploy/local-cluster.sh start 3
date
benchmarks/matrix.sh orchiddb $out embedded-routers
date
for i in 1 2 3; do echo "n$i"; scrape $i; done
deploy/local-cluster.sh stop
benchmarks/etcd-cluster.sh start
benchmarks/matrix.sh etcd $out etcd
date
benchmarks/etcd-cluster.sh stop
rm -rf /tmp/orchid-bench
deploy/local-cluster.sh start 3
date
benchmarks/matrix.sh orchiddb $out separate-router
date
for i in 1 2 3; do echo "n$i"; scrape $i; done
deploy/local-cluster.sh stop

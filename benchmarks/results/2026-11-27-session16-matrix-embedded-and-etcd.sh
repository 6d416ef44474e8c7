#!/usr/bin/env bash
set -x
cd /tmp/wt-bench
export ORCHIDDB_LOCAL_DIR=/tmp/orchid-bench
rm -rf /tmp/orchid-bench
out=/tmp/wt-bench/benchmarks/results/2026-11-27-session16-matrix.jsonl
ORCHIDDB_ROUTERS=embedded deploy/local-cluster.sh start 3
date
benchmarks/matrix.sh orchiddb $out embedded-routers
date
deploy/local-cluster.sh stop
benchmarks/etcd-cluster.sh start
benchmarks/matrix.sh etcd $out etcd
date
benchmarks/etcd-cluster.sh stop

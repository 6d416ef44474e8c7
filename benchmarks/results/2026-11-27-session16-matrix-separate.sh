#!/usr/bin/env bash
set -x
cd /tmp/wt-bench
export ORCHIDDB_LOCAL_DIR=/tmp/orchid-bench
rm -rf /tmp/orchid-bench
out=/tmp/wt-bench/benchmarks/results/2026-11-27-session16-matrix.jsonl
deploy/local-cluster.sh start 3
date
benchmarks/matrix.sh orchiddb $out separate-router
date
deploy/local-cluster.sh stop

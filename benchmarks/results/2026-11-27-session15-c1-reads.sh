#!/usr/bin/env bash
# c=1 reads, three runs of each level, OrchidDB (default: one shard on one machine) then etcd.
set -uo pipefail
cd /tmp/wt-b
export ORCHIDDB_LOCAL_DIR=/tmp/orchid-bench
OUT=/tmp/mx/s15-c1.jsonl
export MATRIX_CONCURRENCY=1 MATRIX_WORKLOADS="strong eventual strong eventual strong eventual" MATRIX_PREWARM=120
deploy/local-cluster.sh stop >/dev/null 2>&1; rm -rf $ORCHIDDB_LOCAL_DIR
echo "start $(date -u +%T)"
deploy/local-cluster.sh start 3 | tail -1
benchmarks/matrix.sh orchiddb $OUT "OrchidDB default (1 shard) c=1 x3"
deploy/local-cluster.sh stop | tail -1
benchmarks/etcd-cluster.sh start | tail -1
benchmarks/matrix.sh etcd $OUT "etcd c=1 x3"
benchmarks/etcd-cluster.sh stop | tail -1
echo "done $(date -u +%T)"

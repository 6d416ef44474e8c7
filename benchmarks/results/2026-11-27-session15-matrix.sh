#!/usr/bin/env bash
set -uo pipefail
cd /tmp/wt-bench
export ORCHIDDB_LOCAL_DIR=/tmp/orchid-bench
OUT=/tmp/mx/s15-matrix.jsonl
deploy/local-cluster.sh stop >/dev/null 2>&1; rm -rf $ORCHIDDB_LOCAL_DIR
echo "start $(date -u +%T)"
ORCHIDDB_NODE_ARGS="--shard-count 1" deploy/local-cluster.sh start 3 | tail -1
benchmarks/matrix.sh orchiddb $OUT "OrchidDB 1 shard (session 15)"
deploy/local-cluster.sh stop | tail -1
echo "orchid done $(date -u +%T)"
benchmarks/etcd-cluster.sh start | tail -1
benchmarks/matrix.sh etcd $OUT "etcd (session 15)"
benchmarks/etcd-cluster.sh stop | tail -1
echo "etcd done $(date -u +%T)"

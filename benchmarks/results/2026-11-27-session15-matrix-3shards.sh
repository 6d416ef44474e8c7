#!/usr/bin/env bash
set -uo pipefail
while pgrep -f s15-matrix.sh >/dev/null; do sleep 5; done
cd /tmp/wt-bench
export ORCHIDDB_LOCAL_DIR=/tmp/orchid-bench
OUT=/tmp/mx/s15-matrix.jsonl
deploy/local-cluster.sh stop >/dev/null 2>&1; rm -rf $ORCHIDDB_LOCAL_DIR
echo "start 3 shards $(date -u +%T)"
ORCHIDDB_NODE_ARGS="--shard-count 3" deploy/local-cluster.sh start 3 | tail -1
benchmarks/matrix.sh orchiddb $OUT "OrchidDB 3 shards (session 15)"
deploy/local-cluster.sh stop | tail -1
echo "3 shards done $(date -u +%T)"

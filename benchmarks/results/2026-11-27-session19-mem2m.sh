#!/usr/bin/env bash
# Session 19: resident memory with 2M keys of 100 B on a fresh default cluster (nodes on node-jvm.options).
cd /tmp/wt-bench
export ORCHIDDB_LOCAL_DIR=/tmp/orchid-bench
date
rm -rf /tmp/orchid-bench
deploy/local-cluster.sh start 3
benchmarks/memory.sh 2000000 100
curl -s 127.0.0.1:9101/metrics | grep -E '^orchiddb_node_shard_store'
deploy/local-cluster.sh stop
date

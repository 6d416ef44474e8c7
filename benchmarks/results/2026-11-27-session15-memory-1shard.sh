#!/usr/bin/env bash
set -uo pipefail
cd /tmp/wt-bench
export ORCHIDDB_LOCAL_DIR=/tmp/orchid-mem
deploy/local-cluster.sh stop >/dev/null 2>&1; rm -rf $ORCHIDDB_LOCAL_DIR
deploy/local-cluster.sh start 3 | tail -1
curl -s 127.0.0.1:4206/v1/cluster | python3 -c 'import json,sys; print("shards:", len(json.load(sys.stdin)["shards"]))'
for i in 1 2 3; do echo "n$i idle no data RSS MiB: $(( $(ps -o rss= -p $(cat $ORCHIDDB_LOCAL_DIR/n$i.pid)) / 1024 ))"; done
benchmarks/memory.sh 1000000 100
sleep 5
for i in 1 2 3; do echo "n$i RSS after the full GC MiB: $(( $(ps -o rss= -p $(cat $ORCHIDDB_LOCAL_DIR/n$i.pid)) / 1024 ))"; done
deploy/local-cluster.sh stop | tail -1

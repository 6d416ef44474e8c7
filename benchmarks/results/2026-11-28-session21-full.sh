#!/usr/bin/env bash
# Session 21 (BENCHMARKS "nineteenth session"): memory with 1M keys on a fresh default cluster (fence slots,
# 40-70% free old generation with IdleHeap), then the full table with the routers in the nodes beside etcd.
cd /tmp/wt-bench3
export ORCHIDDB_LOCAL_DIR=/tmp/orchid-bench
out=/tmp/ab/session21-full.jsonl
date
rm -rf /tmp/orchid-bench
deploy/local-cluster.sh start 3
ps -o rss= -p "$(cat /tmp/orchid-bench/n1.pid)" | sed 's/^/n1 RSS KiB idle, no data: /'
benchmarks/memory.sh 1000000 100
curl -s 127.0.0.1:9101/metrics | grep -E '^orchiddb_node_shard_store'
deploy/local-cluster.sh stop
date
rm -rf /tmp/orchid-bench
ORCHIDDB_ROUTERS=embedded deploy/local-cluster.sh start 3
benchmarks/matrix.sh orchiddb $out "OrchidDB, routers in the nodes"
for i in 1 2 3; do ps -o rss= -p "$(cat /tmp/orchid-bench/n$i.pid)" | sed "s/^/n$i RSS KiB after the table: /"; done
deploy/local-cluster.sh stop
date
benchmarks/etcd-cluster.sh start
benchmarks/matrix.sh etcd $out "etcd"
benchmarks/etcd-cluster.sh stop
date
benchmarks/jsonl-table.py --compare --orchiddb-label "routers in the nodes" $out

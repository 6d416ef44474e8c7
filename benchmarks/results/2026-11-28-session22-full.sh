#!/usr/bin/env bash
# Session 22 (BENCHMARKS "twentieth session"): the full table with the routers in the nodes (writes
# in-process at the leader, ad6fa9f) beside etcd. No memory run: nodes without a router, as
# benchmarks/memory.sh measures them, run no code this change touched.
cd /tmp/wt-new
export ORCHIDDB_LOCAL_DIR=/tmp/orchid-bench
out=/tmp/ab/session22-full.jsonl
date
rm -rf /tmp/orchid-bench
ORCHIDDB_ROUTERS=embedded deploy/local-cluster.sh start 3
benchmarks/matrix.sh orchiddb $out "OrchidDB, routers in the nodes"
for i in 1 2 3; do ps -o rss= -p "$(cat /tmp/orchid-bench/n$i.pid)" | sed "s/^/n$i RSS KiB after the table: /"; done
curl -s http://127.0.0.1:4206/metrics | grep '^orchiddb_router_local_writes'
deploy/local-cluster.sh stop
sleep 5
date
benchmarks/etcd-cluster.sh start
benchmarks/matrix.sh etcd $out "etcd"
benchmarks/etcd-cluster.sh stop
date
benchmarks/jsonl-table.py --compare --orchiddb-label "routers in the nodes" $out

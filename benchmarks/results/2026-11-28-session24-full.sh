#!/usr/bin/env bash
# Session 24 (BENCHMARKS "twenty-second session"): the full table with the routers in the nodes beside
# etcd, after the snapshot encoding (8f6213b), the failover changes (5e3dedc, 0e85852) and the shared
# heartbeat channel (0237379); then the memory run with 1M keys on a fresh default cluster, with the
# snapshot write times its nodes logged during the prefill.
cd /tmp/wt-new
export ORCHIDDB_LOCAL_DIR=/tmp/orchid-bench
out=/tmp/ab/session24-full.jsonl
date
rm -rf /tmp/orchid-bench
ORCHIDDB_ROUTERS=embedded deploy/local-cluster.sh start 3
benchmarks/matrix.sh orchiddb $out "OrchidDB, routers in the nodes"
for i in 1 2 3; do ps -o rss= -p "$(cat /tmp/orchid-bench/n$i.pid)" | sed "s/^/n$i RSS KiB after the table: /"; done
curl -s http://127.0.0.1:4206/metrics | grep '^orchiddb_router_local_writes'
grep -h 'wrote snapshot' /tmp/orchid-bench/n*.log | sed 's/^/table: /'
deploy/local-cluster.sh stop
sleep 5
date
benchmarks/etcd-cluster.sh start
benchmarks/matrix.sh etcd $out "etcd"
benchmarks/etcd-cluster.sh stop
date
benchmarks/jsonl-table.py --compare --orchiddb-label "routers in the nodes" $out
sleep 5
rm -rf /tmp/orchid-bench
deploy/local-cluster.sh start 3
benchmarks/memory.sh 1000000 100
grep -h 'wrote snapshot' /tmp/orchid-bench/n*.log | sed 's/^/memory: /'
deploy/local-cluster.sh stop
date

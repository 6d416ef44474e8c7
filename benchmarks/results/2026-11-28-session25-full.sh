#!/usr/bin/env bash
# Session 25 (BENCHMARKS "twenty-third session"): the full table with the routers in the nodes beside
# etcd, with the node JIT options of 7254c0a (C2 only from 1,500 runs, NewRatio=4); otherwise as the
# twenty-second session; then the memory run with 1M keys on a fresh default cluster, with the
# snapshot write times its nodes logged during the prefill.
cd /tmp/wt-new
export ORCHIDDB_LOCAL_DIR=/tmp/orchid-bench
out=/tmp/ab/session25-full.jsonl
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

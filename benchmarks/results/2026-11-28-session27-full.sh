#!/usr/bin/env bash
# Session 27 (BENCHMARKS "twenty-fifth session"): the full table with the routers in the nodes beside
# etcd, after the term streams (fc87580 as built in /tmp/wt-c); otherwise as the twenty-third session.
cd /tmp/wt-c
export ORCHIDDB_LOCAL_DIR=/tmp/orchid-bench
out=/tmp/ab/session27-full.jsonl
date
rm -rf /tmp/orchid-bench
ORCHIDDB_ROUTERS=embedded deploy/local-cluster.sh start 3
benchmarks/matrix.sh orchiddb $out "OrchidDB, routers in the nodes"
for i in 1 2 3; do ps -o rss= -p "$(cat /tmp/orchid-bench/n$i.pid)" | sed "s/^/n$i RSS KiB after the table: /"; done
deploy/local-cluster.sh stop
sleep 5
date
benchmarks/etcd-cluster.sh start
benchmarks/matrix.sh etcd $out "etcd"
benchmarks/etcd-cluster.sh stop
date
benchmarks/jsonl-table.py --compare --orchiddb-label "routers in the nodes" $out

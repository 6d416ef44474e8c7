#!/usr/bin/env bash
# Session 23 (BENCHMARKS "twenty-first session"): the c=1 rows of the table (puts, strong,
# session and eventual gets) with the routers in the nodes, after snapshots went to the background
# and wait for a quarter of the shard in log (b1c9d34 and later), beside etcd measured right after
# with the same tool; the matrix's defaults otherwise (100k keys, prefill, 180 s of mixed load first).
cd /tmp/wt-c1
export ORCHIDDB_LOCAL_DIR=/tmp/orchid-bench
export MATRIX_CONCURRENCY=1
out=/tmp/ab/session23-c1.jsonl
date
rm -rf /tmp/orchid-bench
ORCHIDDB_ROUTERS=embedded deploy/local-cluster.sh start 3
benchmarks/matrix.sh orchiddb $out "OrchidDB, routers in the nodes"
grep -h 'wrote snapshot' /tmp/orchid-bench/n*.log | wc -l | sed 's/^/snapshots written by the three nodes: /'
deploy/local-cluster.sh stop
sleep 5
date
benchmarks/etcd-cluster.sh start
benchmarks/matrix.sh etcd $out "etcd"
benchmarks/etcd-cluster.sh stop
date
benchmarks/jsonl-table.py --compare --orchiddb-label "routers in the nodes" $out

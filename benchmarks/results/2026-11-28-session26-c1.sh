#!/usr/bin/env bash
# Session 26 (BENCHMARKS "twenty-fourth session"): the c=1 rows beside etcd after the session's
# changes (527b1bb as built in /tmp/wt-d), benchmarks/matrix.sh with MATRIX_CONCURRENCY=1 (180 s
# prewarm, 20 s warm-up and 15 s measured per row), then etcd the same way.
cd /tmp/wt-d
export ORCHIDDB_LOCAL_DIR=/tmp/orchid-bench
out=/tmp/ab/session26-c1.jsonl
export MATRIX_CONCURRENCY=1
date
rm -rf /tmp/orchid-bench
ORCHIDDB_ROUTERS=embedded deploy/local-cluster.sh start 3 >/dev/null
benchmarks/matrix.sh orchiddb $out "OrchidDB, routers in the nodes"
deploy/local-cluster.sh stop >/dev/null
sleep 5
date
benchmarks/etcd-cluster.sh start >/dev/null
benchmarks/matrix.sh etcd $out "etcd"
benchmarks/etcd-cluster.sh stop >/dev/null
date
benchmarks/jsonl-table.py --compare --orchiddb-label "routers in the nodes" $out

#!/usr/bin/env bash
# Session 19: etcd's half of the full table (etcd-server was not installed on this machine when
# session19-full.sh reached it; installed with apt-get, then this).
cd /tmp/wt-bench
out=/tmp/ab/session19-full.jsonl
date
benchmarks/etcd-cluster.sh start
benchmarks/matrix.sh etcd $out "etcd"
benchmarks/etcd-cluster.sh stop
date
benchmarks/jsonl-table.py --compare --orchiddb-label "routers in the nodes" $out

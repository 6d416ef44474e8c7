#!/usr/bin/env bash
# Session 25: resident memory with 1M keys for node JVM option variants (appended to a copy of
# node-jvm.options in /tmp/wt-m, a build of 47b31c7); output in ...-memory.txt. Before these, the
# defaults with NMT on (13:14, 90 s idle): 292, 286, 286 MiB.
# usage: mem.sh LABEL "extra node options (one per line)"
set -u
cd /tmp/wt-m
cp /work/main/deploy/image/node-jvm.options deploy/image/node-jvm.options
printf '%s\n' "$2" >> deploy/image/node-jvm.options
export ORCHIDDB_LOCAL_DIR=/tmp/orchid-mem
deploy/local-cluster.sh stop >/dev/null 2>&1; rm -rf $ORCHIDDB_LOCAL_DIR
deploy/local-cluster.sh start 3 >/dev/null 2>&1
echo "== $1 ($(date +%T)) extra: $(echo "$2" | tr '\n' ' ')"
MEMORY_IDLE_SECONDS=${IDLE:-90} benchmarks/memory.sh 1000000 100 2>&1 | tail -4
for i in 1 2 3; do pid=$(cat $ORCHIDDB_LOCAL_DIR/n$i.pid); jcmd $pid Compiler.codecache 2>/dev/null | grep -o "'[a-z -]*nmethods': size=[0-9]*Kb used=[0-9]*Kb" | tr '\n' ' '; echo; done
deploy/local-cluster.sh stop >/dev/null 2>&1
cp /work/main/deploy/image/node-jvm.options deploy/image/node-jvm.options

#!/usr/bin/env bash
# memrun LABEL VAR=... : fresh cluster, 1M prefill, 60 s idle, RSS + breakdown per node
cd /tmp/wt-bench; export ORCHIDDB_LOCAL_DIR=/tmp/orchid-bench
label=$1; shift
rm -rf /tmp/orchid-bench; env "$@" deploy/local-cluster.sh start 3 >/dev/null 2>&1
MEMORY_IDLE_SECONDS=60 benchmarks/memory.sh 1000000 100 > /tmp/memrun.out 2>&1
for i in 1 2 3; do
  pid=$(cat /tmp/orchid-bench/n$i.pid)
  rss=$(( $(ps -o rss= -p $pid) / 1024 ))
  first=$(awk -v n="n$i" '$1==n {print $2}' /tmp/memrun.out)
  heap=$(jcmd $pid GC.heap_info | awk '/generation/ {gsub(/K,/,"",$4); s+=$4} END {printf "%d", s/1024}')
  echo "$label n$i rss_before_gc=$first rss_after_gc=$rss heap_committed=$heap"
done
deploy/local-cluster.sh stop >/dev/null 2>&1

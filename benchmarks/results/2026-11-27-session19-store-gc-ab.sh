#!/usr/bin/env bash
# Session 19: the off-heap store and the node's collector, A/B: old store + G1 (HEAD 5759443), new store + G1,
# new store + Serial (small young generation, native heap trimmed), each a fresh cluster with the routers
# in the nodes, in the order A B C C B A.
export ORCHIDDB_LOCAL_DIR=/tmp/orchid-bench
out=/tmp/ab/gc-ab.jsonl  # kept as benchmarks/results/2026-11-27-session19-store-gc-ab.jsonl
SERIAL="-XX:+UseSerialGC -Xms16m -XX:MaxNewSize=32m -XX:+UnlockExperimentalVMOptions -XX:TrimNativeHeapInterval=10000"
bench() { /tmp/wt-bench/orchiddb bench "$@"; }
common=(--keys 100000 --value-bytes 100 --seed 7 --duration 15s --warmup 10s --json $out)
phase() { # tree label opts
  local tree=$1 label=$2 opts=$3
  rm -rf /tmp/orchid-bench
  (cd $tree && ORCHIDDB_JAVA_OPTS="$opts" ORCHIDDB_ROUTERS=embedded deploy/local-cluster.sh start 3 >/dev/null)
  bench put --keys 100000 --value-bytes 100 --seed 7 --prefill --ops 1 --warmup 0s >/dev/null
  bench mixed --read-percent 50 --keys 100000 --value-bytes 100 --seed 7 -c 64 --duration 60s --warmup 0s >/dev/null 2>&1
  for run in "put x 64" "put x 256" "get strong 1" "get eventual 1" "get strong 64" "get eventual 256"; do
    set -- $run
    local cons=(); [ "$2" != x ] && cons=(--consistency $2)
    bench $1 "${cons[@]}" -c $3 "${common[@]}" --label "$label-$1-$2-c$3" 2>/dev/null | grep -E "^Throughput|^  (put|get) " | tr '\n' ' ' | sed "s/^/$label $1 $2 c=$3: /"; echo
  done
  for i in 1 2 3; do echo "$label n$i RSS $(( $(ps -o rss= -p $(cat /tmp/orchid-bench/n$i.pid)) / 1024 )) MiB"; done
  (cd $tree && deploy/local-cluster.sh stop >/dev/null)
}
date
phase /tmp/wt-old old-g1 ""
phase /tmp/wt-bench new-g1 ""
phase /tmp/wt-bench new-serial "$SERIAL"
phase /tmp/wt-bench new-serial "$SERIAL"
phase /tmp/wt-bench new-g1 ""
phase /tmp/wt-old old-g1 ""
date

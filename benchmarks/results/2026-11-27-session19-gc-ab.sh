#!/usr/bin/env bash
# Session 19, second A/B: the off-heap store with G1 (deploy/image/jvm.options as at 5759443) against the
# Serial candidate, alternated G1 S G1 S, each a fresh cluster with the routers in the nodes.
export ORCHIDDB_LOCAL_DIR=/tmp/orchid-bench
out=/tmp/ab/gc-ab2.jsonl
SERIAL="-XX:+UseSerialGC -Xms16m -XX:MaxNewSize=32m -XX:+UnlockExperimentalVMOptions -XX:TrimNativeHeapInterval=10000 -Dio.grpc.netty.shaded.io.netty.allocator.numDirectArenas=1 -Dorg.apache.ratis.thirdparty.io.netty.allocator.numDirectArenas=1"
bench() { /tmp/wt-bench/orchiddb bench "$@"; }
common=(--keys 100000 --value-bytes 100 --seed 7 --duration 15s --warmup 10s --json $out)
phase() { # label opts
  local label=$1 opts=$2
  rm -rf /tmp/orchid-bench
  (cd /tmp/wt-bench && ORCHIDDB_JAVA_OPTS="$opts" ORCHIDDB_ROUTERS=embedded deploy/local-cluster.sh start 3 >/dev/null)
  bench put --keys 100000 --value-bytes 100 --seed 7 --prefill --ops 1 --warmup 0s >/dev/null 2>&1
  bench mixed --read-percent 50 --keys 100000 --value-bytes 100 --seed 7 -c 64 --duration 60s --warmup 0s >/dev/null 2>&1
  for run in "put x 64" "put x 256" "get eventual 256" "get strong 64" "get eventual 1" "get strong 1"; do
    set -- $run
    local cons=(); [ "$2" != x ] && cons=(--consistency $2)
    bench $1 "${cons[@]}" -c $3 "${common[@]}" --label "$label-$1-$2-c$3" >/dev/null 2>&1
  done
  for i in 1 2 3; do echo "$label n$i RSS $(( $(ps -o rss= -p $(cat /tmp/orchid-bench/n$i.pid)) / 1024 )) MiB after load"; done
  (cd /tmp/wt-bench && deploy/local-cluster.sh stop >/dev/null)
}
date
for r in 1 2; do phase g1 ""; phase serial "$SERIAL"; done
date

#!/usr/bin/env bash
# Session 19: puts at c=1, whose p99 was over etcd's in the full table: G1 against Serial nodes,
# alternated, then etcd again; then memory with 2M keys.
export ORCHIDDB_LOCAL_DIR=/tmp/orchid-bench
out=/tmp/ab/session19-putc1.jsonl
G1="-XX:-UseSerialGC -XX:+UseG1GC -XX:MaxNewSize=4g -Xms64m"
bench() { /tmp/wt-bench/orchiddb bench "$@"; }
common=(--keys 100000 --value-bytes 100 --seed 7 --duration 15s --warmup 10s --json $out)
phase() { # label opts
  rm -rf /tmp/orchid-bench
  (cd /tmp/wt-bench && ORCHIDDB_JAVA_OPTS="$2" ORCHIDDB_ROUTERS=embedded deploy/local-cluster.sh start 3 >/dev/null)
  bench put --keys 100000 --value-bytes 100 --seed 7 --prefill --ops 1 --warmup 0s >/dev/null 2>&1
  bench mixed --read-percent 50 --keys 100000 --value-bytes 100 --seed 7 -c 64 --duration 60s --warmup 0s >/dev/null 2>&1
  for r in 1 2; do bench put -c 1 "${common[@]}" --label "$1-put-c1" 2>/dev/null | grep -E "^Throughput|  put " | tr -s ' ' | tr '\n' ' ' | sed "s/^/$1: /"; echo; done
  (cd /tmp/wt-bench && deploy/local-cluster.sh stop >/dev/null)
}
date
for r in 1 2; do phase g1 "$G1"; phase serial ""; done
cd /tmp/wt-bench
benchmarks/etcd-cluster.sh start >/dev/null
ep="$(benchmarks/etcd-cluster.sh endpoints)"
bench put --target etcd --endpoints "$ep" --keys 100000 --value-bytes 100 --seed 7 --prefill --ops 1 --warmup 0s >/dev/null 2>&1
bench mixed --target etcd --endpoints "$ep" --read-percent 50 --keys 100000 --value-bytes 100 --seed 7 -c 64 --duration 60s --warmup 0s >/dev/null 2>&1
for r in 1 2 3; do bench put --target etcd --endpoints "$ep" -c 1 "${common[@]}" --label "etcd-put-c1" 2>/dev/null | grep -E "^Throughput|  put " | tr -s ' ' | tr '\n' ' ' | sed "s/^/etcd: /"; echo; done
benchmarks/etcd-cluster.sh stop >/dev/null
date
/tmp/ab/session19-mem2m.sh

#!/usr/bin/env bash
# Session 21 (after the fence slots and IdleHeap, /tmp/wt-bench3): the nodes' young generation at most a
# third of the old (NewRatio=2, the default) against a fifth (NewRatio=4), both capped at 16 MiB,
# alternated twice, each a fresh cluster with the routers in the nodes; collections per node (jstat).
export ORCHIDDB_LOCAL_DIR=/tmp/orchid-bench
out=/tmp/ab/session21-newratio-ab.jsonl
bench() { /tmp/wt-bench3/orchiddb bench "$@"; }
common=(--keys 100000 --value-bytes 100 --seed 7 --duration 15s --warmup 10s --json $out)
phase() { # label java-opts
  rm -rf /tmp/orchid-bench
  (cd /tmp/wt-bench3 && ORCHIDDB_JAVA_OPTS="$2" ORCHIDDB_ROUTERS=embedded deploy/local-cluster.sh start 3 >/dev/null)
  bench put --keys 100000 --value-bytes 100 --seed 7 --prefill --ops 1 --warmup 0s >/dev/null 2>&1
  bench mixed --read-percent 50 --keys 100000 --value-bytes 100 --seed 7 -c 64 --duration 30s --warmup 0s >/dev/null 2>&1
  bench put -c 64 "${common[@]}" --label "$1-put-c64" >/dev/null 2>&1
  bench put -c 256 "${common[@]}" --label "$1-put-c256" >/dev/null 2>&1
  bench get --consistency strong -c 64 "${common[@]}" --label "$1-strong-c64" >/dev/null 2>&1
  bench get --consistency eventual -c 256 "${common[@]}" --label "$1-eventual-c256" >/dev/null 2>&1
  for i in 1 2 3; do
    echo "$1 n$i $(jstat -gc "$(cat /tmp/orchid-bench/n$i.pid)" | awk 'NR==1 {for (f = 1; f <= NF; f++) h[f] = $f} NR==2 {for (f = 1; f <= NF; f++) if (h[f] ~ /^(OC|YGC|YGCT|FGC|FGCT)$/) printf "%s=%s ", h[f], $f}')"
  done
  (cd /tmp/wt-bench3 && deploy/local-cluster.sh stop >/dev/null)
}
date
for r in 1 2; do
  phase ratio2 ""
  phase ratio4 "-XX:NewRatio=4"
done
date

#!/usr/bin/env bash
# Session 21: a node's young generation capped at 8 MiB against the 16 MiB default (node-jvm.options),
# alternated twice, each a fresh cluster with the routers in the nodes (committed defaults otherwise).
# After each phase: young and full collections per node (jstat).
export ORCHIDDB_LOCAL_DIR=/tmp/orchid-bench
out=/tmp/ab/session21-young-ab.jsonl
bench() { /tmp/wt-bench/orchiddb bench "$@"; }
common=(--keys 100000 --value-bytes 100 --seed 7 --duration 15s --warmup 10s --json $out)
phase() { # label java-opts
  rm -rf /tmp/orchid-bench
  (cd /tmp/wt-bench && ORCHIDDB_JAVA_OPTS="$2" ORCHIDDB_ROUTERS=embedded deploy/local-cluster.sh start 3 >/dev/null)
  bench put --keys 100000 --value-bytes 100 --seed 7 --prefill --ops 1 --warmup 0s >/dev/null 2>&1
  bench mixed --read-percent 50 --keys 100000 --value-bytes 100 --seed 7 -c 64 --duration 45s --warmup 0s >/dev/null 2>&1
  bench put -c 1 "${common[@]}" --label "$1-put-c1" >/dev/null 2>&1
  bench put -c 64 "${common[@]}" --label "$1-put-c64" >/dev/null 2>&1
  bench put -c 256 "${common[@]}" --label "$1-put-c256" >/dev/null 2>&1
  bench get --consistency strong -c 64 "${common[@]}" --label "$1-strong-c64" >/dev/null 2>&1
  bench get --consistency eventual -c 256 "${common[@]}" --label "$1-eventual-c256" >/dev/null 2>&1
  for i in 1 2 3; do
    echo "$1 n$i $(jstat -gc "$(cat /tmp/orchid-bench/n$i.pid)" | awk 'NR==1 {for (f = 1; f <= NF; f++) h[f] = $f} NR==2 {for (f = 1; f <= NF; f++) if (h[f] ~ /^(YGC|YGCT|FGC|FGCT)$/) printf "%s=%s ", h[f], $f}')"
  done
  (cd /tmp/wt-bench && deploy/local-cluster.sh stop >/dev/null)
}
date
for r in 1 2; do phase young16 ""; phase young8 "-XX:MaxNewSize=8m"; done
date

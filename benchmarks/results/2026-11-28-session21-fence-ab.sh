#!/usr/bin/env bash
# Session 21: the read cache's write fences as Caffeine entries (HEAD before the change, /tmp/wt-bench)
# against per-shard fence slots (/tmp/wt-bench2), alternated twice, each a fresh cluster with the
# routers in the nodes. After each phase: young and full collections per node (jstat).
export ORCHIDDB_LOCAL_DIR=/tmp/orchid-bench
out=/tmp/ab/session21-fence-ab.jsonl
common=(--keys 100000 --value-bytes 100 --seed 7 --duration 15s --warmup 10s --json $out)
phase() { # label tree
  bench() { "$2/orchiddb" bench "${@:3}"; }
  rm -rf /tmp/orchid-bench
  (cd "$2" && ORCHIDDB_ROUTERS=embedded deploy/local-cluster.sh start 3 >/dev/null)
  bench "$1" "$2" put --keys 100000 --value-bytes 100 --seed 7 --prefill --ops 1 --warmup 0s >/dev/null 2>&1
  bench "$1" "$2" mixed --read-percent 50 --keys 100000 --value-bytes 100 --seed 7 -c 64 --duration 45s --warmup 0s >/dev/null 2>&1
  bench "$1" "$2" put -c 1 "${common[@]}" --label "$1-put-c1" >/dev/null 2>&1
  bench "$1" "$2" put -c 64 "${common[@]}" --label "$1-put-c64" >/dev/null 2>&1
  bench "$1" "$2" put -c 256 "${common[@]}" --label "$1-put-c256" >/dev/null 2>&1
  bench "$1" "$2" mixed --read-percent 50 --consistency eventual --key-dist zipfian -c 64 "${common[@]}" --label "$1-mixedzipf-c64" >/dev/null 2>&1
  bench "$1" "$2" get --consistency eventual -c 256 "${common[@]}" --label "$1-eventual-c256" >/dev/null 2>&1
  for i in 1 2 3; do
    echo "$1 n$i $(jstat -gc "$(cat /tmp/orchid-bench/n$i.pid)" | awk 'NR==1 {for (f = 1; f <= NF; f++) h[f] = $f} NR==2 {for (f = 1; f <= NF; f++) if (h[f] ~ /^(YGC|YGCT|FGC|FGCT)$/) printf "%s=%s ", h[f], $f}')"
  done
  (cd "$2" && deploy/local-cluster.sh stop >/dev/null)
}
date
for r in 1 2; do phase entries /tmp/wt-bench; phase slots /tmp/wt-bench2; done
date

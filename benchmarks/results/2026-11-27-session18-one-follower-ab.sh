#!/usr/bin/env bash
# Run with a temporary build (not committed) whose ReadIndex.confirm asked only the first other voter in id order
# while /tmp/orchid-one-follower existed, and every other voter otherwise (the code before fc2d0f4).
# A/B in one cluster: the leadership round asks every follower (A) or one (B, /tmp/orchid-one-follower).
cd /tmp/wt-bench
export ORCHIDDB_LOCAL_DIR=/tmp/orchid-bench
out=/tmp/ab/one-follower.jsonl
rm -f /tmp/orchid-one-follower
rm -rf /tmp/orchid-bench
ORCHIDDB_ROUTERS=embedded deploy/local-cluster.sh start 3
./orchiddb bench put --keys 100000 --value-bytes 100 --seed 7 --prefill --ops 1 --warmup 0s >/dev/null
./orchiddb bench mixed --read-percent 50 --keys 100000 --value-bytes 100 --seed 7 -c 64 --duration 60s --warmup 0s >/dev/null 2>&1
for r in 1 2 3 4; do
  for v in A B; do
    if [ $v = B ]; then touch /tmp/orchid-one-follower; else rm -f /tmp/orchid-one-follower; fi
    for c in 1 64; do
      ./orchiddb bench get --consistency strong --keys 100000 --value-bytes 100 --seed 7 -c $c --duration 15s --warmup 10s --json $out --label "$v-c$c" 2>/dev/null | grep "^Throughput\|p99" | tr '\n' ' ' | sed "s/^/$v c=$c run $r: /"; echo
    done
  done
done
rm -f /tmp/orchid-one-follower
curl -s localhost:9101/metrics 2>/dev/null | grep read_index | head
deploy/local-cluster.sh stop
date

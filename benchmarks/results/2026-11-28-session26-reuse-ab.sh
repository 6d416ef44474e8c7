#!/usr/bin/env bash
# Session 26 (BENCHMARKS "twenty-fourth session"): the leader applies the write it decoded in
# prepare, and stamps the entry by appending its timestamp instead of re-encoding the write.
# /tmp/wt-a is 3459e66 as built; /tmp/wt-c the same plus that change. Three rounds, the order
# flipped every round. Around each put row, n1's young collections (jstat YGC; eden is 13,184 KiB)
# give the leader's allocation per put.
export ORCHIDDB_LOCAL_DIR=/tmp/orchid-bench
out=/tmp/ab/session26-reuse-ab.jsonl
common=(--keys 100000 --value-bytes 100 --seed 7 --warmup 5s --json $out)
ygc() { jstat -gc "$(cat /tmp/orchid-bench/n1.pid)" | tail -1 | awk '{print $13}'; }
phase() { # label tree
  local T=$2
  bench() { $T/orchiddb bench "$@"; }
  rm -rf /tmp/orchid-bench
  (cd $T && ORCHIDDB_ROUTERS=embedded deploy/local-cluster.sh start 3 >/dev/null) || echo "cluster start FAILED"
  bench put --keys 100000 --value-bytes 100 --seed 7 --prefill --ops 1 --warmup 0s >/dev/null 2>&1 || echo "FAILED prefill"
  bench mixed --read-percent 50 --keys 100000 --value-bytes 100 --seed 7 -c 64 --duration 60s --warmup 0s >/dev/null 2>&1 || echo "FAILED mixed"
  for row in "put -c 64" "put -c 256" "put -c 1"; do
    local label="$1-$(echo $row | tr -d ' -' | sed 's/putc/put-c/')"
    local y0; y0=$(ygc)
    bench $row --duration 20s "${common[@]}" --label "$label" >/dev/null 2>&1 || echo "FAILED $row"
    echo "$label n1 young collections: $y0 -> $(ygc)"
  done
  (cd $T && deploy/local-cluster.sh stop >/dev/null)
  sleep 5
}
date
for r in 1 2 3; do if [ $((r % 2)) = 0 ]; then phase reuse /tmp/wt-c; phase before /tmp/wt-a; else phase before /tmp/wt-a; phase reuse /tmp/wt-c; fi; done
date

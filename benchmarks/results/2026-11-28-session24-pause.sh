#!/usr/bin/env bash
# Session 24: a client of all three routers while one node is paused (SIGSTOP) for 15 s, 12 s into
# the run: n1 (the shard's leader, and one of the three routers), then n3 (a follower). Run from
# the repository after 5e3dedc, while a helper session ran container tests on the same 2 cores (so
# the throughput is low throughout; the shape is what counts). Before 5e3dedc the same run with n1
# paused completed nothing from the pause until n1 was resumed (see BENCHMARKS.md).
export ORCHIDDB_LOCAL_DIR=/tmp/orchid-fo ORCHIDDB_NODE_PORT=17001 ORCHIDDB_GRPC_PORT=14207 ORCHIDDB_HTTP_PORT=14206 \
  ORCHIDDB_METRICS_PORT=off ORCHIDDB_ROUTERS=embedded
rm -rf /tmp/orchid-fo
deploy/local-cluster.sh start 3
for victim in 1 3; do
  (sleep 12; date +%T; deploy/local-cluster.sh pause $victim; sleep 15; date +%T; deploy/local-cluster.sh resume $victim) &
  ./orchiddb bench mixed -r 127.0.0.1:14207,127.0.0.1:14209,127.0.0.1:14211 -c 16 --consistency strong --duration 40s \
    --warmup 2s --keys 10000 --timeout 5s --json /tmp/fo/pause.jsonl --label pause-n$victim > /tmp/fo/pause-n$victim.txt 2>&1
  wait
  sleep 5
done
deploy/local-cluster.sh stop

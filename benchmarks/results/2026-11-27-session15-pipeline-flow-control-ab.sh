#!/usr/bin/env bash
# A/B of the router's pipeline flow control: one cluster (8885faf build, one shard), router A
# (8885faf, no flow control) on 4207 and router B (f9889a5, flow control + message split) on 5207.
set -uo pipefail
export ORCHIDDB_LOCAL_DIR=/tmp/orchid-bench
cd /tmp/wt-bench
deploy/local-cluster.sh stop >/dev/null 2>&1; rm -rf $ORCHIDDB_LOCAL_DIR
deploy/local-cluster.sh start 3 | tail -1
(cd /tmp/wt-b && nohup ./orchiddb router --peers n1=127.0.0.1:7001,n2=127.0.0.1:7002,n3=127.0.0.1:7003 --grpc-port 5207 --http-port 5206 > /tmp/mx/router-b.log 2>&1 &)
sleep 8
args=(--keys 100000 --value-bytes 100 --seed 7)
./orchiddb bench put "${args[@]}" --prefill --ops 1 --warmup 0s >/dev/null 2>&1
./orchiddb bench mixed "${args[@]}" -c 64 --duration 60s --warmup 0s >/dev/null 2>&1 &
(cd /tmp/wt-b && ./orchiddb bench mixed "${args[@]}" --router 127.0.0.1:5207 -c 64 --duration 60s --warmup 0s >/dev/null 2>&1)
wait
run() { # label endpoint workload extra...
  local label=$1 ep=$2 w=$3; shift 3
  ./orchiddb bench $w "${args[@]}" --router $ep --duration 20s --warmup 10s --json /tmp/mx/s15-fc-ab.jsonl --label "$label" "$@" > /tmp/mx/fc1.txt 2>&1
  echo "$label $w $* $(grep -o '^Throughput *[0-9,.]*' /tmp/mx/fc1.txt) $(grep -A1 '^Latency' /tmp/mx/fc1.txt | tail -1 | tr -s ' ')"
}
for round in 1 2; do
  if [ $round = 1 ]; then order="A B"; else order="B A"; fi
  for r in $order; do
    ep=127.0.0.1:4207; [ $r = B ] && ep=127.0.0.1:5207
    run $r $ep put -c 256
    run $r $ep get -c 256 --consistency eventual
    run $r $ep get -c 16 --consistency strong
  done
done
pkill -f "grpc-port 5207"
deploy/local-cluster.sh stop | tail -1

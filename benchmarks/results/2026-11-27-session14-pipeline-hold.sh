#!/usr/bin/env bash
# With the pipeline: routers with write-gather-ms 0, 2, 4 (default, 4207), 6 side by side; put rows through each in turn and back.
set -uo pipefail
cd /tmp/wt-bench
export ORCHIDDB_LOCAL_DIR=/tmp/orchid-bench
deploy/local-cluster.sh stop >/dev/null 2>&1; rm -rf $ORCHIDDB_LOCAL_DIR
deploy/local-cluster.sh start 3 | tail -1
args=(--keys 100000 --value-bytes 100 --seed 7)
./orchiddb bench put "${args[@]}" --prefill --ops 1 --warmup 0s >/dev/null 2>&1
P=n1=127.0.0.1:7001,n2=127.0.0.1:7002,n3=127.0.0.1:7003
startr() { # port gather
  (nohup ./orchiddb router --peers $P --grpc-port $1 --http-port $(($1-1)) --write-gather-ms $2 > /tmp/mx/r$1.log 2>&1 &)
  until grep -q "ready" /tmp/mx/r$1.log; do sleep 0.5; done; }
declare -A NAME; NAME[4207]=g4
startr 4307 0; NAME[4307]=g0
startr 4407 2; NAME[4407]=g2
startr 4507 6; NAME[4507]=g6
ports=(4307 4407 4207 4507)
for port in "${ports[@]}"; do ./orchiddb bench mixed "${args[@]}" --router 127.0.0.1:$port -c 64 --duration ${PREWARM:-45}s --warmup 0s >/dev/null 2>&1; done
one() { # port label bench-args...
  local port=$1 label=$2; shift 2
  ./orchiddb bench "$@" "${args[@]}" --router 127.0.0.1:$port --metrics http://127.0.0.1:$((port-1))/metrics --duration 20s --warmup 10s --json /tmp/mx/hold.jsonl --label "hold-$label" > /tmp/mx/one.txt 2>&1
  local t=$(grep -o '^Throughput *[0-9,.]*' /tmp/mx/one.txt | tr -dc '0-9.')
  local lat=$(grep -A1 '^Latency' /tmp/mx/one.txt | tail -1 | tr -s ' ')
  local e=$(grep -o '([0-9.]* per [a-z]*)' /tmp/mx/one.txt | tr '\n' ' ')
  printf "%-18s %9s ops/s %s lat[%s]\n" "$label" "$t" "$e" "$lat"
}
for c in ${CS:-64 256 16}; do
  for port in 4307 4407 4207 4507 4507 4207 4407 4307; do one $port "put-c$c-${NAME[$port]}" put -c $c; done
done
for port in 4307 4407 4507; do pkill -f "java.*--grpc-port $port"; done
deploy/local-cluster.sh stop | tail -1

#!/usr/bin/env bash
# Pipeline A/B: one cluster, one router; each cell runs --pipeline and --no-pipeline in turn (A B B A), with CPU per process.
set -uo pipefail
cd /tmp/wt-bench
export ORCHIDDB_LOCAL_DIR=/tmp/orchid-bench
deploy/local-cluster.sh stop >/dev/null 2>&1; rm -rf $ORCHIDDB_LOCAL_DIR
deploy/local-cluster.sh start 3 | tail -1
args=(--keys 100000 --value-bytes 100 --seed 7)
./orchiddb bench put "${args[@]}" --prefill --ops 1 --warmup 0s >/dev/null 2>&1
./orchiddb bench mixed "${args[@]}" -c 64 --duration ${PREWARM:-90}s --warmup 0s >/dev/null 2>&1
./orchiddb bench mixed "${args[@]}" -c 64 --no-pipeline --duration ${PREWARM:-90}s --warmup 0s >/dev/null 2>&1
declare -A PID
PID[router]=$(pgrep -f 'java.*--grpc-port 4207')
for i in 1 2 3; do PID[n$i]=$(pgrep -f "java.*orchiddb.*node.*--node-id n$i" | head -1); done
cpu() { awk '{print $14+$15}' /proc/$1/stat; }
one() { # mode label bench-args...
  local mode=$1 label=$2; shift 2
  local flag=--pipeline; [ $mode = unary ] && flag=--no-pipeline
  ./orchiddb bench "$@" "${args[@]}" $flag --metrics http://127.0.0.1:4206/metrics --duration 20s --warmup 10s --json /tmp/mx/pipe.jsonl --label "pipe-$label-$mode" > /tmp/mx/one.txt 2>&1 &
  local bp=$!
  sleep 12
  local bpid=$(pgrep -f 'java.*bench .*--label' | head -1)
  declare -A C0; for k in "${!PID[@]}"; do C0[$k]=$(cpu ${PID[$k]}); done; local b0=$(cpu $bpid); local t0=$(date +%s.%N)
  sleep 15
  declare -A C1; for k in "${!PID[@]}"; do C1[$k]=$(cpu ${PID[$k]}); done; local b1=$(cpu $bpid); local t1=$(date +%s.%N)
  wait $bp
  local t=$(grep -o '^Throughput *[0-9,.]*' /tmp/mx/one.txt | tr -dc '0-9.')
  local lat=$(grep -A1 '^Latency' /tmp/mx/one.txt | tail -1 | tr -s ' ')
  local e=$(grep -o '([0-9.]* per [a-z]*)' /tmp/mx/one.txt | tr '\n' ' ')
  local us=$(awk -v t0=$t0 -v t1=$t1 -v ops=$t -v r="${C1[router]} ${C0[router]}" -v n="${C1[n1]} ${C0[n1]} ${C1[n2]} ${C0[n2]} ${C1[n3]} ${C0[n3]}" -v b="$b1 $b0" 'BEGIN{split(r,R," ");split(n,N," ");split(b,B," ");d=t1-t0; f=10000/(d*ops); printf "us/op bench %.1f router %.1f nodes %.1f total %.1f", (B[1]-B[2])*f, (R[1]-R[2])*f, (N[1]-N[2]+N[3]-N[4]+N[5]-N[6])*f, (B[1]-B[2]+R[1]-R[2]+N[1]-N[2]+N[3]-N[4]+N[5]-N[6])*f}')
  printf "%-14s %-8s %9s ops/s  %s %s lat[%s]\n" "$label" "$mode" "$t" "$us" "$e" "$lat"
}
cell() { local label=$1; shift; for m in pipe unary unary pipe; do one $m $label "$@"; done; }
for c in ${CS:-16 64 256}; do cell put-c$c put -c $c; done
for c in ${GCS:-16 64}; do cell ev-c$c get --consistency eventual -c $c; done
for c in ${SCS:-16}; do cell st-c$c get --consistency strong -c $c; done
for c in ${C1S:-1}; do cell put-c$c put -c $c; cell ev-c$c get --consistency eventual -c $c; done
deploy/local-cluster.sh stop | tail -1

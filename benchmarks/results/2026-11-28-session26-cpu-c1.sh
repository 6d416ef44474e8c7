#!/usr/bin/env bash
# Session 26: CPU per request at concurrency 1, per node: strong and eventual gets on a fresh
# cluster with the routers in the nodes (tree $1), after the usual prefill and 60 s of mixed load.
# CPU from /proc/PID/stat (utime+stime, 10 ms ticks) over each whole bench command (10 s warm-up
# and 15 s measured; ops counted over both), less the nodes' idle CPU over 10 s beforehand.
T=${1:-/tmp/wt-a}
out=${2:-/tmp/ab/session26-cpu-c1.jsonl}
cd $T
export ORCHIDDB_LOCAL_DIR=/tmp/orchid-bench
ticks() { for p in "$@"; do awk '{s+=$14+$15} END {printf "%d ", s}' /proc/$p/stat; done; }
date
rm -rf /tmp/orchid-bench
ORCHIDDB_ROUTERS=embedded deploy/local-cluster.sh start 3 >/dev/null
A="--keys 100000 --value-bytes 100 --seed 7"
./orchiddb bench put $A --prefill --ops 1 --warmup 0s >/dev/null 2>&1
./orchiddb bench mixed --read-percent 50 $A -c 64 --duration 60s --warmup 0s >/dev/null 2>&1
N=($(cat /tmp/orchid-bench/n1.pid) $(cat /tmp/orchid-bench/n2.pid) $(cat /tmp/orchid-bench/n3.pid))
b=($(ticks "${N[@]}")); sleep 10; a=($(ticks "${N[@]}"))
echo "idle CPU over 10 s, ms: n1 $(( (a[0]-b[0])*10 )) n2 $(( (a[1]-b[1])*10 )) n3 $(( (a[2]-b[2])*10 ))"
for r in 1 2; do
  for c in strong eventual; do
    b=($(ticks "${N[@]}")); t0=$(date +%s%N)
    /usr/bin/time -f "load tool: %U s user %S s sys" ./orchiddb bench get --consistency $c $A -c 1 --duration 15s --warmup 10s \
      --json $out --label "cpu-$c-c1" 2>&1 | grep -E "^Throughput|load tool"
    t1=$(date +%s%N); a=($(ticks "${N[@]}"))
    echo "  $c c=1 round $r: $(( (t1-t0)/1000000 )) ms wall; node CPU ms: n1 $(( (a[0]-b[0])*10 )) n2 $(( (a[1]-b[1])*10 )) n3 $(( (a[2]-b[2])*10 ))"
  done
done
deploy/local-cluster.sh stop >/dev/null
date

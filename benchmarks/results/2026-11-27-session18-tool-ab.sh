#!/usr/bin/env bash
# Session 18: the load tool's closed loop before (a402791^, one issuing thread) and after (a402791, clients send
# from completions), alternated against one OrchidDB cluster (routers in the nodes) and then one etcd cluster.
cd /tmp/wt-bench
export ORCHIDDB_LOCAL_DIR=/tmp/orchid-bench
out=/tmp/ab/tool-ab.jsonl
bench() { local tool=$1; shift; java @deploy/image/jvm.options -cp "/tmp/ab/cli-$tool.jar:cli/target/lib/*" io.orchiddb.cli.OrchidCli bench "$@"; }
common=(--keys 100000 --value-bytes 100 --seed 7 --duration 15s --warmup 10s --json $out)
rm -rf /tmp/orchid-bench
ORCHIDDB_ROUTERS=embedded deploy/local-cluster.sh start 3
bench old put --keys 100000 --value-bytes 100 --seed 7 --prefill --ops 1 --warmup 0s >/dev/null
bench old mixed --read-percent 50 --keys 100000 --value-bytes 100 --seed 7 -c 64 --duration 60s --warmup 0s >/dev/null 2>&1
for r in 1 2 3; do
  for tool in old new; do
    for run in "eventual 1" "strong 1" "strong 64"; do
      set -- $run
      bench $tool get --consistency $1 -c $2 "${common[@]}" --label "orchiddb-$tool-$1-c$2" 2>/dev/null | grep "^Throughput" | sed "s/^/orchiddb $tool $1 c=$2 run $r: /"
    done
  done
done
curl -s 127.0.0.1:9101/metrics | grep -E '^orchiddb_node_raft_leader\{group="shard'
deploy/local-cluster.sh stop
benchmarks/etcd-cluster.sh start
ep="$(benchmarks/etcd-cluster.sh endpoints)"
bench old put --target etcd --endpoints "$ep" --keys 100000 --value-bytes 100 --seed 7 --prefill --ops 1 --warmup 0s >/dev/null
bench old mixed --target etcd --endpoints "$ep" --read-percent 50 --keys 100000 --value-bytes 100 --seed 7 -c 64 --duration 60s --warmup 0s >/dev/null 2>&1
for r in 1 2 3; do
  for tool in old new; do
    for run in "eventual 1" "strong 1"; do
      set -- $run
      bench $tool get --target etcd --endpoints "$ep" --consistency $1 -c $2 "${common[@]}" --label "etcd-$tool-$1-c$2" 2>/dev/null | grep "^Throughput" | sed "s/^/etcd $tool $1 c=$2 run $r: /"
    done
  done
done
benchmarks/etcd-cluster.sh stop
date

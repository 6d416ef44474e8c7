#!/usr/bin/env bash
# Session 26 (BENCHMARKS "twenty-fourth session", "The floor at concurrency 1"): bare gRPC round
# trips on this machine, benchmarks/tools/GrpcFloor.java, with a default 3-node cluster (routers in
# the nodes, 100k keys written) idle beside them, then with nothing else running.
cd /tmp/wt-a
export ORCHIDDB_LOCAL_DIR=/tmp/orchid-bench
CP="cli/target/orchiddb-cli.jar:cli/target/lib/*"
T=/work/main/benchmarks/tools/GrpcFloor.java
floor() {
  java -cp "$CP" $T echo 5601 & e=$!
  java -cp "$CP" $T relay 5602 127.0.0.1:5601 own & r1=$!
  java -cp "$CP" $T relay 5603 127.0.0.1:5601 shared & r2=$!
  sleep 8
  for i in 1 2; do
    echo "-- direct"; java -cp "$CP" $T client 127.0.0.1:5601 10 4
    echo "-- relay, own loop"; java -cp "$CP" $T client 127.0.0.1:5602 10 4
    echo "-- relay, shared loops"; java -cp "$CP" $T client 127.0.0.1:5603 10 4
  done
  kill $e $r1 $r2; wait 2>/dev/null
}
date
rm -rf /tmp/orchid-bench
ORCHIDDB_ROUTERS=embedded deploy/local-cluster.sh start 3 >/dev/null
./orchiddb bench put --keys 100000 --value-bytes 100 --seed 7 --prefill --ops 1 --warmup 0s >/dev/null 2>&1
echo "== beside an idle 3-node cluster"
floor
deploy/local-cluster.sh stop >/dev/null
sleep 5
echo "== nothing else running"
floor
date

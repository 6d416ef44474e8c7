#!/usr/bin/env bash
# Session 27 (BENCHMARKS "twenty-fifth session"): the relay of benchmarks/tools/GrpcFloor.java asking
# the echo with unary calls against one open stream, nothing else running (19:00).
cd /work/main
CP="cli/target/orchiddb-cli.jar:cli/target/lib/*"
T=/work/main/benchmarks/tools/GrpcFloor.java
java -cp "$CP" $T echo 5601 & e=$!
java -cp "$CP" $T relay 5602 127.0.0.1:5601 own unary & r1=$!
java -cp "$CP" $T relay 5603 127.0.0.1:5601 own stream & r2=$!
sleep 8
for i in 1 2 3; do
  echo "-- relay, unary"; java -cp "$CP" $T client 127.0.0.1:5602 8 4
  echo "-- relay, stream"; java -cp "$CP" $T client 127.0.0.1:5603 8 4
done
kill $e $r1 $r2; wait 2>/dev/null

#!/usr/bin/env bash
# Session 17: throughput with G1 (the default) and with Shenandoah, each a fresh default cluster
# (one shard, a router process), every process with the collector's options.
set -x
cd /tmp/wt-bench
export ORCHIDDB_LOCAL_DIR=/tmp/orchid-bench
export MATRIX_PREWARM=60 MATRIX_CONCURRENCY="64 256" MATRIX_WORKLOADS="put eventual strong"
out=/tmp/wt-bench/benchmarks/results/2026-11-27-session17-gc-ab.jsonl
for variant in g1 shenandoah; do
  case $variant in
    g1) opts="" ;;
    shenandoah) opts="-XX:+UseShenandoahGC -XX:+UnlockExperimentalVMOptions -XX:ShenandoahUncommitDelay=5000 -XX:ShenandoahGuaranteedGCInterval=30000" ;;
  esac
  rm -rf /tmp/orchid-bench
  ORCHIDDB_JAVA_OPTS="$opts" deploy/local-cluster.sh start 3
  date
  benchmarks/matrix.sh orchiddb $out "$variant"
  date
  for i in 1 2 3; do echo "n$i $(ps -o rss= -p "$(cat /tmp/orchid-bench/n$i.pid)") KiB"; done
  deploy/local-cluster.sh stop
done

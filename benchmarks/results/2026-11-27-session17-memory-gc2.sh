#!/usr/bin/env bash
# Session 17: Shenandoah plus the fixed-cost knobs (one Netty direct arena per allocator, glibc
# arenas capped), with native memory tracking to see where the rest goes.
set -x
cd /tmp/wt-bench
export ORCHIDDB_LOCAL_DIR=/tmp/orchid-bench
rss() { for i in 1 2 3; do echo "n$i $(ps -o rss= -p "$(cat /tmp/orchid-bench/n$i.pid)" || echo '?') KiB"; done; }
opts="-XX:+UseShenandoahGC -XX:+UnlockExperimentalVMOptions -XX:ShenandoahUncommitDelay=5000 -XX:ShenandoahGuaranteedGCInterval=30000 -Dio.grpc.netty.shaded.io.netty.allocator.numDirectArenas=1 -Dorg.apache.ratis.thirdparty.io.netty.allocator.numDirectArenas=1 -XX:NativeMemoryTracking=summary"
rm -rf /tmp/orchid-bench
MALLOC_ARENA_MAX=2 ORCHIDDB_JAVA_OPTS="$opts" deploy/local-cluster.sh start 3
echo "== $opts MALLOC_ARENA_MAX=2"; date
echo "idle, no data:"; rss
MEMORY_IDLE_SECONDS=90 benchmarks/memory.sh
jcmd "$(cat /tmp/orchid-bench/n2.pid)" VM.native_memory summary | grep -E '^-|committed=' | grep -E '^-' 
jcmd "$(cat /tmp/orchid-bench/n2.pid)" GC.heap_info
rss
deploy/local-cluster.sh stop

#!/usr/bin/env bash
# Session 22: an experimental build (GroupChannel.write submits in-process to the router's own node
# when -Dorchiddb.exp.localwrites=true) against the same build without the property, alternated
# twice, each a fresh cluster with the routers in the nodes (n1 leads by priority; the load tool
# uses n1's router), prefill and 60 s of mixed load, then put c=1 twice, c=64 and c=256.
export ORCHIDDB_LOCAL_DIR=/tmp/orchid-bench
out=/tmp/ab/session22-localwrites-ab.jsonl
T=/tmp/wt-bench4 # ddc777b plus a temporary hack: GroupChannel.write went through NodeReads.read (made to let writes
# through) when -Dorchiddb.exp.localwrites=true, falling back to the Ratis client on any refusal
bench() { $T/orchiddb bench "$@"; }
common=(--keys 100000 --value-bytes 100 --seed 7 --duration 15s --warmup 10s --json $out)
phase() { # label java-opts
  rm -rf /tmp/orchid-bench
  (cd $T && ORCHIDDB_JAVA_OPTS="$2" ORCHIDDB_ROUTERS=embedded deploy/local-cluster.sh start 3 >/dev/null)
  bench put --keys 100000 --value-bytes 100 --seed 7 --prefill --ops 1 --warmup 0s >/dev/null 2>&1
  bench mixed --read-percent 50 --keys 100000 --value-bytes 100 --seed 7 -c 64 --duration 60s --warmup 0s >/dev/null 2>&1
  for r in 1 2; do bench put -c 1 "${common[@]}" --label "$1-put-c1" >/dev/null 2>&1; done
  bench put -c 64 "${common[@]}" --label "$1-put-c64" >/dev/null 2>&1
  bench put -c 256 "${common[@]}" --label "$1-put-c256" >/dev/null 2>&1
  (cd $T && deploy/local-cluster.sh stop >/dev/null)
}
date
for r in 1 2; do phase ratis ""; phase local "-Dorchiddb.exp.localwrites=true"; done
date

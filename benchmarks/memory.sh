#!/usr/bin/env bash
# Resident memory of a deploy/local-cluster.sh cluster's nodes holding N keys (BENCHMARKS.md,
# "Memory"): writes N keys of VALUE bytes once, waits for the nodes to go idle (the JVM options
# give memory back after 30 s without a collection), then prints per node the resident set
# (RSS) and, after a full collection, the live heap, each also as a multiple of the raw data
# (key + value bytes; every node holds every key when replication equals the node count).
#
#   benchmarks/memory.sh [N] [VALUE]        defaults: 1000000 keys of 100 B
#
# Environment: ORCHIDDB_LOCAL_DIR (the cluster's directory, as for local-cluster.sh),
# MEMORY_IDLE_SECONDS (wait before measuring; default 120).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="${ORCHIDDB_LOCAL_DIR:-$root/data/local}"
keys="${1:-1000000}"
value="${2:-100}"
idle="${MEMORY_IDLE_SECONDS:-120}"
prefix="bench/" # the load tool's default key prefix; its keys are the prefix + 10 digits

[ -f "$dir/nodes" ] || { echo "memory: no cluster in $dir (start one with deploy/local-cluster.sh)" >&2; exit 2; }
"$root/orchiddb" bench put --prefill --ops 1 --warmup 0s --keys "$keys" --value-bytes "$value" --seed 7 >/dev/null
key_bytes=$((${#prefix} + 10))
raw=$((keys * (key_bytes + value)))
# The used heap in bytes from `jcmd PID GC.heap_info`: G1's "total 123K, used 45K", the sum of
# the Serial collector's generations (one such line each), or Shenandoah's "198M committed, 194M used".
heap_used_bytes() {
  awk '
    match($0, /total [0-9]+K, used [0-9]+K/) { s = substr($0, RSTART, RLENGTH); sub(/.*used /, "", s); sum += s * 1024; found = 1; next }
    !found && match($0, /[0-9]+[KMG] used/) { s = substr($0, RSTART, RLENGTH - 5); u = substr(s, length(s));
      print substr(s, 1, length(s) - 1) * (u == "K" ? 1024 : u == "M" ? 1048576 : 1073741824); exit }
    END { if (found) print sum }'
}
mib() { awk -v b="$1" 'BEGIN { printf "%.0f", b / 1048576 }'; }
ratio() { awk -v a="$1" -v b="$raw" 'BEGIN { printf "%.2f", a / b }'; }
echo "raw data per node: $keys keys x ($key_bytes + $value) B = $(mib "$raw") MiB; waiting ${idle}s for the nodes to go idle"
sleep "$idle"
printf "%-5s %10s %8s %16s %10s\n" node "RSS MiB" "RSS/raw" "live heap MiB" "heap/raw"
for ((i = 1; i <= $(cat "$dir/nodes"); i++)); do
  pid="$(cat "$dir/n$i.pid")"
  rss=$(($(ps -o rss= -p "$pid") * 1024))
  jcmd "$pid" GC.run >/dev/null
  live="$(jcmd "$pid" GC.heap_info | heap_used_bytes)"
  printf "%-5s %10s %8s %16s %10s\n" "n$i" "$(mib "$rss")" "$(ratio "$rss")x" "$(mib "$live")" "$(ratio "$live")x"
done

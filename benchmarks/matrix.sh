#!/usr/bin/env bash
# The BENCHMARKS.md matrix against one target, each run appended to a JSON-lines file:
# puts and gets (strong, session, eventual) at concurrency 1, 16, 64 and 256, 100 B values,
# 100k keys written once first, uniform keys, closed loop.
#
#   benchmarks/matrix.sh orchiddb OUT.jsonl LABEL     against the router at $ORCHIDDB_ROUTER or 127.0.0.1:4207
#   benchmarks/matrix.sh etcd OUT.jsonl LABEL         against benchmarks/etcd-cluster.sh's members
#
# Environment: MATRIX_SECONDS (measured seconds per run, default 15), MATRIX_WARMUP (default 3s),
# MATRIX_CONCURRENCY (default "1 16 64 256"), MATRIX_WORKLOADS (default "put strong session eventual").
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
target="${1:?target: orchiddb or etcd}"
out="${2:?output JSON-lines file}"
label="${3:-}"
seconds="${MATRIX_SECONDS:-15}"
warmup="${MATRIX_WARMUP:-3s}"
conc="${MATRIX_CONCURRENCY:-1 16 64 256}"
workloads="${MATRIX_WORKLOADS:-put strong session eventual}"

args=(--target "$target" --keys 100000 --value-bytes 100 --seed 7)
if [ "$target" = etcd ]; then
  args+=(--endpoints "$("$root/benchmarks/etcd-cluster.sh" endpoints)")
fi
"$root/orchiddb" bench put "${args[@]}" --prefill --ops 1 --warmup 0s >/dev/null
for c in $conc; do
  for w in $workloads; do
    case "$w" in
      put) run=(put) ;;
      *) run=(get --consistency "$w") ;;
    esac
    "$root/orchiddb" bench "${run[@]}" "${args[@]}" -c "$c" --duration "${seconds}s" --warmup "$warmup" \
      --json "$out" --label "$label" 2>/dev/null | grep "^Throughput" | sed "s/^/$target $w c=$c: /"
  done
done

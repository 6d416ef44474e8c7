#!/usr/bin/env bash
# The BENCHMARKS.md matrix against one target, each run appended to a JSON-lines file:
# puts and gets (strong, session, eventual) at concurrency 1, 16, 64 and 256, 100 B values,
# 100k keys written once first, uniform keys, closed loop.
#
#   benchmarks/matrix.sh orchiddb OUT.jsonl LABEL     against the router at $ORCHIDDB_ROUTER or 127.0.0.1:4207
#   benchmarks/matrix.sh etcd OUT.jsonl LABEL         against benchmarks/etcd-cluster.sh's members
#
# Environment: MATRIX_SECONDS (measured seconds per run, default 15), MATRIX_WARMUP (per run,
# default 20s: each run is a fresh load-generator JVM, whose JIT competes with the cluster for the
# CPU for many seconds), MATRIX_PREWARM (seconds of unrecorded mixed load first, so the servers'
# JITs are warm too; default 180: after about a minute the nodes' C2 compilers still took a third of their
# CPU, BENCHMARKS.md, eleventh session), MATRIX_CONCURRENCY (default "1 16 64 256"), MATRIX_WORKLOADS
# (default "put strong session eventual"), MATRIX_METRICS (OrchidDB: the router's metrics URL, default
# http://127.0.0.1:4206/metrics; each run records the Raft entries and read requests it took, see
# `orchiddb bench --help`; empty to skip).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
target="${1:?target: orchiddb or etcd}"
out="${2:?output JSON-lines file}"
label="${3:-}"
seconds="${MATRIX_SECONDS:-15}"
warmup="${MATRIX_WARMUP:-20s}"
prewarm="${MATRIX_PREWARM:-180}"
conc="${MATRIX_CONCURRENCY:-1 16 64 256}"
workloads="${MATRIX_WORKLOADS:-put strong session eventual}"

args=(--target "$target" --keys 100000 --value-bytes 100 --seed 7)
measured=()
if [ "$target" = etcd ]; then
  args+=(--endpoints "$("$root/benchmarks/etcd-cluster.sh" endpoints)")
elif [ -n "${MATRIX_METRICS-http://127.0.0.1:4206/metrics}" ]; then
  measured=(--metrics "${MATRIX_METRICS-http://127.0.0.1:4206/metrics}")
fi
"$root/orchiddb" bench put "${args[@]}" --prefill --ops 1 --warmup 0s >/dev/null
if [ "$prewarm" -gt 0 ]; then
  "$root/orchiddb" bench mixed --read-percent 50 "${args[@]}" -c 64 --duration "${prewarm}s" --warmup 0s >/dev/null 2>&1
fi
for c in $conc; do
  for w in $workloads; do
    case "$w" in
      put) run=(put) ;;
      *) run=(get --consistency "$w") ;;
    esac
    "$root/orchiddb" bench "${run[@]}" "${args[@]}" ${measured[@]+"${measured[@]}"} -c "$c" --duration "${seconds}s" \
      --warmup "$warmup" --json "$out" --label "$label" 2>/dev/null | grep "^Throughput" | sed "s/^/$target $w c=$c: /"
  done
done

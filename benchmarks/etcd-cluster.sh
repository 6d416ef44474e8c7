#!/usr/bin/env bash
# A 3-member etcd cluster on loopback for the side-by-side table in BENCHMARKS.md (issue 7):
# Debian's etcd-server (3.4), default settings (fsync on every commit), members e1..e3 with
# client URLs http://127.0.0.1:2379, :22379, :32379 and data in $ETCD_BENCH_DIR (default
# /tmp/etcd-bench, wiped on start).
#
#   benchmarks/etcd-cluster.sh start     start the three members, wait until the cluster is healthy
#   benchmarks/etcd-cluster.sh stop      stop them (SIGTERM) and wipe the data
#   benchmarks/etcd-cluster.sh endpoints print the client URLs, comma-separated (for --endpoints)
set -euo pipefail
dir="${ETCD_BENCH_DIR:-/tmp/etcd-bench}"
endpoints="http://127.0.0.1:2379,http://127.0.0.1:22379,http://127.0.0.1:32379"
cluster="e1=http://127.0.0.1:2380,e2=http://127.0.0.1:22380,e3=http://127.0.0.1:32380"

case "${1:-}" in
  start)
    command -v etcd >/dev/null || { echo "etcd-cluster: etcd is not installed (Debian: apt-get install etcd-server)" >&2; exit 2; }
    "$0" stop >/dev/null 2>&1 || true
    mkdir -p "$dir"
    i=0
    for port in 2379 22379 32379; do
      i=$((i + 1))
      peer=$((port + 1))
      nohup etcd --name "e$i" --data-dir "$dir/e$i" \
        --listen-client-urls "http://127.0.0.1:$port" --advertise-client-urls "http://127.0.0.1:$port" \
        --listen-peer-urls "http://127.0.0.1:$peer" --initial-advertise-peer-urls "http://127.0.0.1:$peer" \
        --initial-cluster "$cluster" --initial-cluster-state new --initial-cluster-token orchid-bench \
        >"$dir/e$i.log" 2>&1 &
      echo $! >"$dir/e$i.pid"
    done
    for _ in $(seq 1 100); do
      if curl -sf -m 1 http://127.0.0.1:2379/health | grep -q '"health":"true"'; then
        echo "etcd-cluster: 3 members healthy at $endpoints"
        exit 0
      fi
      sleep 0.2
    done
    tail -5 "$dir"/e*.log >&2
    echo "etcd-cluster: not healthy after 20 s (logs above)" >&2
    exit 1 ;;
  stop)
    for f in "$dir"/e*.pid; do
      [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null || true
    done
    for f in "$dir"/e*.pid; do
      [ -f "$f" ] || continue
      for _ in $(seq 1 100); do kill -0 "$(cat "$f")" 2>/dev/null || break; sleep 0.1; done
    done
    rm -rf "$dir"
    echo "etcd-cluster: stopped" ;;
  endpoints) echo "$endpoints" ;;
  *) sed -n '2,10p' "$0" >&2; exit 2 ;;
esac

#!/usr/bin/env bash
# A real multi-process OrchidDB cluster on loopback: N node JVMs (n1..nN) and one router, each
# with a PID file and a log under $ORCHIDDB_LOCAL_DIR (default ./data/local). For operators, demos
# and process-level fault tests.
#
#   deploy/local-cluster.sh start [N]     start N nodes (default 3) and a router
#   deploy/local-cluster.sh stop          stop everything (SIGTERM, then SIGKILL after 20 s)
#   deploy/local-cluster.sh status        what runs, with PIDs
#   deploy/local-cluster.sh kill ID       SIGKILL node ID (1..N) or "router"
#   deploy/local-cluster.sh pause ID      SIGSTOP it
#   deploy/local-cluster.sh resume ID     SIGCONT it
#   deploy/local-cluster.sh restart ID    start it again on its data (after kill or stop)
#   deploy/local-cluster.sh routers       the routers' gRPC endpoints, comma-separated (for ORCHIDDB_ROUTER)
#
# ORCHIDDB_ROUTERS=embedded (at start): no router process; every node runs one in its own JVM
# (`orchiddb node --router`), node i's on gRPC port $ORCHIDDB_GRPC_PORT+2(i-1) and HTTP port
# $ORCHIDDB_HTTP_PORT+2(i-1) (4207/4206, 4209/4208, ...), as etcd members serve clients.
#
# Ports: node i listens on $ORCHIDDB_NODE_PORT+i-1 (default 7001..) and serves its metrics on
# $ORCHIDDB_METRICS_PORT+i-1 (default 9101..; "off" for none), the router on 4207 (gRPC) and 4206
# (HTTP, metrics at /metrics); override with ORCHIDDB_NODE_PORT, ORCHIDDB_METRICS_PORT,
# ORCHIDDB_GRPC_PORT, ORCHIDDB_HTTP_PORT.
# ORCHIDDB_NODE_ARGS adds flags to every node, e.g. ORCHIDDB_NODE_ARGS="--shard-count 3".
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="${ORCHIDDB_LOCAL_DIR:-$root/data/local}"
node_port="${ORCHIDDB_NODE_PORT:-7001}"
grpc_port="${ORCHIDDB_GRPC_PORT:-4207}"
http_port="${ORCHIDDB_HTTP_PORT:-4206}"
metrics_port="${ORCHIDDB_METRICS_PORT:-9101}"

die() { echo "local-cluster: $*" >&2; exit 2; }
pidfile() { echo "$dir/$1.pid"; }
alive() { local f; f="$(pidfile "$1")"; [ -f "$f" ] && kill -0 "$(cat "$f")" 2>/dev/null; }
count() { [ -f "$dir/nodes" ] && cat "$dir/nodes" || echo 0; }
embedded() { [ "$(cat "$dir/routers" 2>/dev/null || echo separate)" = embedded ]; }

peers() {
  local n="$1" p="" i
  for ((i = 1; i <= n; i++)); do p+="${p:+,}n$i=127.0.0.1:$((node_port + i - 1))"; done
  echo "$p"
}

launch() { # name, args...
  local name="$1"; shift
  alive "$name" && die "$name is already running (pid $(cat "$(pidfile "$name")"))"
  nohup "$root/orchiddb" "$@" >>"$dir/$name.log" 2>&1 &
  echo $! >"$(pidfile "$name")"
}

start_node() { # i
  local n; n="$(count)"
  # shellcheck disable=SC2086 # ORCHIDDB_NODE_ARGS is a list of extra flags, e.g. "--shard-count 3"
  local metrics="off" router=()
  [ "$metrics_port" = off ] || metrics=$((metrics_port + $1 - 1))
  if embedded; then
    router=(--router --router-grpc-port $((grpc_port + 2 * ($1 - 1))) --router-http-port $((http_port + 2 * ($1 - 1))))
  fi
  launch "n$1" node --node-id "n$1" --peers "$(peers "$n")" --data-dir "$dir/n$1" --metrics-port "$metrics" \
    ${router[@]+"${router[@]}"} ${ORCHIDDB_NODE_ARGS:-}
}

routers() {
  local p="" i
  if embedded; then
    for ((i = 1; i <= $(count); i++)); do p+="${p:+,}127.0.0.1:$((grpc_port + 2 * (i - 1)))"; done
  else
    p="127.0.0.1:$grpc_port"
  fi
  echo "$p"
}

start_router() {
  launch router router --peers "$(peers "$(count)")" --grpc-port "$grpc_port" --http-port "$http_port"
}

wait_ready() { # name, pattern
  local deadline=$((SECONDS + 90))
  until grep -q "$2" "$dir/$1.log" 2>/dev/null; do
    alive "$1" || die "$1 exited; see $dir/$1.log"
    ((SECONDS < deadline)) || die "$1 not ready after 90 s; see $dir/$1.log"
    sleep 0.2
  done
}

name_of() { # ID -> process name
  case "$1" in
    router) embedded && die "no router process: each node runs its own (ORCHIDDB_ROUTERS=embedded)"; echo router ;;
    ''|*[!0-9]*) die "ID must be a node number (1..$(count)) or 'router', got '$1'" ;;
    *) (($1 >= 1 && $1 <= $(count))) || die "no node $1 (cluster has $(count))"; echo "n$1" ;;
  esac
}

cmd="${1:-}"; shift || true
case "$cmd" in
  start)
    n="${1:-3}"
    [[ "$n" =~ ^[1-9]$ ]] || die "N must be 1..9, got '$n'"
    mkdir -p "$dir"
    if [ "$(count)" != 0 ] && [ "$(count)" != "$n" ]; then
      die "$dir holds a $(count)-node cluster; stop it and remove $dir to start a $n-node one"
    fi
    echo "$n" >"$dir/nodes"
    case "${ORCHIDDB_ROUTERS:-separate}" in
      separate|embedded) echo "${ORCHIDDB_ROUTERS:-separate}" >"$dir/routers" ;;
      *) die "ORCHIDDB_ROUTERS must be separate or embedded, got '$ORCHIDDB_ROUTERS'" ;;
    esac
    "$root/orchiddb" --version >/dev/null # build once, before starting processes in parallel
    for ((i = 1; i <= n; i++)); do : >>"$dir/n$i.log"; start_node "$i"; done
    embedded || start_router
    for ((i = 1; i <= n; i++)); do wait_ready "n$i" "orchiddb node n$i ready"; done
    if embedded; then
      echo "local cluster up: $n nodes, each with a router; gRPC $(routers), HTTP 127.0.0.1:$http_port (n1), +2 per node (logs in $dir)"
    else
      wait_ready router "orchiddb router ready"
      echo "local cluster up: $n nodes, router gRPC 127.0.0.1:$grpc_port, HTTP 127.0.0.1:$http_port (logs in $dir)"
    fi
    if [ "$metrics_port" != off ]; then
      echo "metrics: http://127.0.0.1:$http_port/metrics (router), http://127.0.0.1:$metrics_port..$((metrics_port + n - 1))/metrics (nodes)"
    fi
    ;;
  stop)
    for f in "$dir"/*.pid; do
      [ -e "$f" ] || continue
      pid="$(cat "$f")"
      kill -CONT "$pid" 2>/dev/null || true
      kill -TERM "$pid" 2>/dev/null || true
    done
    deadline=$((SECONDS + 20))
    for f in "$dir"/*.pid; do
      [ -e "$f" ] || continue
      pid="$(cat "$f")"
      while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.2; done
      kill -KILL "$pid" 2>/dev/null || true
      rm -f "$f"
    done
    echo "local cluster stopped"
    ;;
  status)
    n="$(count)"
    ((n > 0)) || { echo "no local cluster in $dir"; exit 0; }
    for name in $(for ((i = 1; i <= n; i++)); do echo "n$i"; done) $(embedded || echo router); do
      if alive "$name"; then
        state="running"
        [ "$(ps -o stat= -p "$(cat "$(pidfile "$name")")" | cut -c1)" = T ] && state="paused"
        echo "$name $state pid $(cat "$(pidfile "$name")")"
      else
        echo "$name stopped"
      fi
    done
    ;;
  kill)
    name="$(name_of "${1:-}")"
    alive "$name" || die "$name is not running"
    kill -KILL "$(cat "$(pidfile "$name")")"
    rm -f "$(pidfile "$name")"
    echo "killed $name (SIGKILL)"
    ;;
  pause)
    name="$(name_of "${1:-}")"; alive "$name" || die "$name is not running"
    kill -STOP "$(cat "$(pidfile "$name")")"; echo "paused $name"
    ;;
  resume)
    name="$(name_of "${1:-}")"; alive "$name" || die "$name is not running"
    kill -CONT "$(cat "$(pidfile "$name")")"; echo "resumed $name"
    ;;
  restart)
    name="$(name_of "${1:-}")"
    if alive "$name"; then kill -KILL "$(cat "$(pidfile "$name")")"; fi
    rm -f "$(pidfile "$name")"
    mark=$(wc -l <"$dir/$name.log" 2>/dev/null || echo 0)
    if [ "$name" = router ]; then start_router; else start_node "${name#n}"; fi
    deadline=$((SECONDS + 90))
    until tail -n +"$((mark + 1))" "$dir/$name.log" | grep -q "ready"; do
      alive "$name" || die "$name exited; see $dir/$name.log"
      ((SECONDS < deadline)) || die "$name not ready after 90 s"
      sleep 0.2
    done
    echo "restarted $name"
    ;;
  routers) routers ;;
  *)
    sed -n '2,26p' "$0" | sed 's/^# \{0,1\}//'
    [ -z "$cmd" ] || [ "$cmd" = help ] || exit 2
    ;;
esac

#!/usr/bin/env bash
# Podman's Docker-compatible API on a unix socket, for Testcontainers (shared/CONTAINERS.md):
#
#   deploy/podman-service.sh start    start it in the background (no-op if it answers already)
#   deploy/podman-service.sh stop     stop the one this script started (by its PID file)
#   deploy/podman-service.sh env      print the environment Testcontainers needs, for eval
#
# Then, for the container tests:
#   eval "$(deploy/podman-service.sh env)"
#   ./mvnw -B -pl testcontainers verify   (./mvnw verify runs these with the Jepsen suite)
#
# Environment: PODMAN_SOCKET (default /run/podman/podman.sock).
set -euo pipefail
socket="${PODMAN_SOCKET:-/run/podman/podman.sock}"
pidfile="$socket.orchiddb.pid"
log="$socket.orchiddb.log"

answers() { curl -sf -m 2 --unix-socket "$socket" http://d/_ping >/dev/null 2>&1; }

case "${1:-}" in
  start)
    if answers; then
      echo "podman-service: already answering on $socket"
      exit 0
    fi
    command -v podman >/dev/null || { echo "podman-service: podman is not installed (deploy/podman-setup.sh)" >&2; exit 2; }
    mkdir -p "$(dirname "$socket")"
    rm -f "$socket"
    # --time=0: no idle timeout; it runs until stopped.
    nohup podman system service --time=0 "unix://$socket" >"$log" 2>&1 &
    echo $! >"$pidfile"
    for _ in $(seq 1 100); do
      answers && { echo "podman-service: answering on $socket (pid $(cat "$pidfile"))"; exit 0; }
      kill -0 "$(cat "$pidfile")" 2>/dev/null || break
      sleep 0.1
    done
    cat "$log" >&2
    echo "podman-service: the API service did not come up (log above)" >&2
    exit 1 ;;
  stop)
    if [ -f "$pidfile" ]; then
      pid="$(cat "$pidfile")"
      kill "$pid" 2>/dev/null && for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null || true
      rm -f "$pidfile" "$socket"
      echo "podman-service: stopped pid $pid"
    else
      echo "podman-service: not started by this script ($pidfile absent)"
    fi ;;
  env)
    # TESTCONTAINERS_RYUK_DISABLED: Ryuk's image cannot be pulled without a registry.
    # TESTCONTAINERS_HOST_OVERRIDE: /.dockerenv exists on these machines, so Testcontainers would
    # otherwise think it runs inside a container and reach mapped ports via the bridge gateway.
    echo "export DOCKER_HOST=unix://$socket TESTCONTAINERS_RYUK_DISABLED=true TESTCONTAINERS_HOST_OVERRIDE=localhost" ;;
  *)
    echo "usage: deploy/podman-service.sh start|stop|env" >&2
    exit 2 ;;
esac

#!/usr/bin/env bash
# Proves deploy/docker-compose.yml works: builds the image, brings the 3-node + router cluster up
# (podman-compose with Podman, `docker compose` with Docker), writes and reads keys through the
# router's HTTP gateway with curl, checks every container's HEALTHCHECK, kills node n1 (the
# preferred leader of the first shards, so leadership must move), checks that reads and writes
# still succeed, starts n1 again and checks it caught up: for every shard n1 replicates, its
# applied index (GET /v1/cluster) reaches the commit index the shard had after the writes it
# missed. Tears everything down (containers, network, volumes) on exit, also on failure, after
# printing the containers' logs. CI runs it (.ci/run).
#
#   deploy/compose-smoke.sh               build the image, then test
#   deploy/compose-smoke.sh --no-build    test the image as it is
#
# Runs as its own compose project (orchiddb-smoke) on host ports 24206/24207 (SMOKE_HTTP_PORT,
# SMOKE_GRPC_PORT), so a cluster started from the same file by hand is not touched.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=container-engine.sh
source "$root/deploy/container-engine.sh"
project=orchiddb-smoke
export ORCHIDDB_IMAGE="${ORCHIDDB_IMAGE:-localhost/orchiddb:dev}"
export ORCHIDDB_HTTP_PORT="${SMOKE_HTTP_PORT:-24206}"
export ORCHIDDB_GRPC_PORT="${SMOKE_GRPC_PORT:-24207}"
export ORCHIDDB_PUBLISH_HOST=127.0.0.1
http="http://127.0.0.1:$ORCHIDDB_HTTP_PORT"
work="$(mktemp -d)"
started=$SECONDS

engine="$(engine)"
read -r -a compose <<<"$(compose_command "$engine")"
compose+=(-p "$project" -f "$root/deploy/docker-compose.yml")

log() { printf 'compose-smoke [%3d s] %s\n' "$((SECONDS - started))" "$*"; }
fail() {
  log "FAILED: $*" >&2
  exit 1
}

containers() { "$engine" ps -a -q --filter "label=com.docker.compose.project=$project"; }
container() { # service -> container id
  local id
  id="$("$engine" ps -a -q --filter "label=com.docker.compose.project=$project" \
    --filter "label=com.docker.compose.service=$1")"
  [ -n "$id" ] || fail "no container for service $1"
  echo "$id"
}

cleanup() {
  local rc=$?
  set +e
  if ((rc != 0)); then
    for id in $(containers); do
      echo "----- logs of $("$engine" inspect -f '{{.Name}}' "$id") (last 40 lines)" >&2
      "$engine" logs --tail 40 "$id" 2>&1 | sed 's/^/    /' >&2
    done
  fi
  log "tearing down"
  "${compose[@]}" down -v >"$work/down.log" 2>&1 || cat "$work/down.log" >&2
  # Belt and braces: nothing of this project may outlive the script.
  ids="$(containers)"; [ -n "$ids" ] && "$engine" rm -f -v $ids >/dev/null 2>&1
  for v in n1-data n2-data n3-data; do
    "$engine" volume rm -f "${project}_$v" >/dev/null 2>&1
  done
  "$engine" network rm -f "${project}_default" >/dev/null 2>&1
  rm -rf "$work"
  if ((rc == 0)); then log "PASSED in $((SECONDS - started)) s"; fi
  exit "$rc"
}
trap cleanup EXIT

# HTTP helpers: status code on stdout, body in $work/body.
request() { curl -s -m 15 -o "$work/body" -w '%{http_code}' "$@" || echo 000; }
body() { cat "$work/body"; }

# Retries a write until it succeeds (a kill can leave a shard without a leader for a few seconds;
# the router answers 503 or 504 meanwhile). A 504 write may have been applied; a put of the same
# value again is harmless.
put() { # key value
  local deadline=$((SECONDS + 30)) code
  while :; do
    code="$(request "$http/put?$1=$2")"
    [[ "$code" == 20[01] ]] && return 0
    ((SECONDS < deadline)) || fail "put $1=$2: HTTP $code $(body)"
    sleep 0.5
  done
}

expect_get() { # key value [consistency]
  local deadline=$((SECONDS + 30)) code
  while :; do
    code="$(request "$http/v1/kv/$1?consistency=${3:-strong}")"
    if [ "$code" = 200 ]; then
      # Values here are plain ASCII, so the JSON holds them verbatim.
      [[ "$(body)" == *"\"value\":\"$2\""* ]] || fail "get $1: expected value '$2', got $(body)"
      return 0
    fi
    ((SECONDS < deadline)) || fail "get $1: HTTP $code $(body)"
    sleep 0.5
  done
}

status_json() { # GET /v1/cluster into $work/cluster.json
  [ "$(request "$http/v1/cluster")" = 200 ] && cp "$work/body" "$work/cluster.json"
}

if [ "${1:-}" != --no-build ]; then
  log "building the image"
  "$root/deploy/build-image.sh"
fi
"$engine" image inspect "$ORCHIDDB_IMAGE" >/dev/null 2>&1 || fail "image $ORCHIDDB_IMAGE is missing"

log "starting the cluster with $(compose_command "$engine")"
"${compose[@]}" down -v >/dev/null 2>&1 || true
"${compose[@]}" up -d >"$work/up.log" 2>&1 || { cat "$work/up.log" >&2; fail "compose up"; }

deadline=$((SECONDS + 180))
until [ "$(request "$http/health")" = 200 ]; do
  ((SECONDS < deadline)) || fail "router not healthy after 180 s: $(body)"
  sleep 1
done
log "router healthy at $http"

# The image's HEALTHCHECK, run on demand: Podman runs scheduled healthchecks through systemd
# timers, which these machines lack; Docker runs them itself.
for s in n1 n2 n3 router; do
  id="$(container "$s")"
  if [ "$engine" = podman ]; then
    deadline=$((SECONDS + 60))
    until podman healthcheck run "$id" >/dev/null 2>&1; do
      ((SECONDS < deadline)) || fail "healthcheck of $s fails"
      sleep 1
    done
  else
    deadline=$((SECONDS + 90))
    until [ "$(docker inspect -f '{{.State.Health.Status}}' "$id")" = healthy ]; do
      ((SECONDS < deadline)) || fail "$s is not healthy: $(docker inspect -f '{{json .State.Health}}' "$id")"
      sleep 2
    done
  fi
done
log "healthchecks pass on n1 n2 n3 router"

for i in $(seq 1 20); do put "before$i" "v$i"; done
[ "$(request "$http/get/before7")" = 200 ] && [ "$(body)" = v7 ] || fail "/get/before7: $(body)"
for i in $(seq 1 20); do expect_get "before$i" "v$i"; done
log "20 keys written and read back through the router"

# n1's applied index per shard before it goes down, to prove below that it missed writes.
status_json || fail "GET /v1/cluster: $(body)"
cp "$work/cluster.json" "$work/before-kill.json"

n1="$(container n1)"
"$engine" kill "$n1" >/dev/null
sleep 1
[ "$("$engine" inspect -f '{{.State.Running}}' "$n1")" = false ] || fail "n1 still runs after kill"
log "killed n1"

for i in $(seq 1 20); do put "during$i" "w$i"; done
for i in $(seq 1 20); do expect_get "before$i" "v$i"; expect_get "during$i" "w$i"; done
log "with n1 down: 20 more keys written, all 40 read back"

# The commit index of every shard n1 replicates, now that the writes it missed are committed
# (0 for a shard that never had an entry). At least one must be past what n1 had applied.
status_json || fail "GET /v1/cluster: $(body)"
python3 - "$work/cluster.json" "$work/before-kill.json" >"$work/targets" <<'PY' \
  || fail "n1 missed nothing? before the kill: $(cat "$work/before-kill.json"); now: $(cat "$work/cluster.json")"
import json, sys
shards = json.load(open(sys.argv[1]))["shards"]
before = {s["id"]: {r["node"]: r["applied_index"] for r in s.get("replica_applied", [])}
          for s in json.load(open(sys.argv[2]))["shards"]}
targets = [(s["id"], s["commit_index"]) for s in shards if "n1" in s["replicas"]]
if not any(commit > before[shard].get("n1", 0) for shard, commit in targets):
    sys.exit(1)
for shard, commit in targets:
    print(shard, commit)
PY

"$engine" start "$n1" >/dev/null
log "started n1 again; waiting for it to catch up on $(wc -l <"$work/targets") shards"
deadline=$((SECONDS + 120))
until status_json && python3 - "$work/cluster.json" "$work/targets" <<'PY'
import json, sys
shards = {s["id"]: s for s in json.load(open(sys.argv[1]))["shards"]}
for line in open(sys.argv[2]):
    shard, commit = line.split()
    applied = {r["node"]: r["applied_index"] for r in shards[int(shard)].get("replica_applied", [])}
    if applied.get("n1", 0) < int(commit):
        sys.exit(1)
PY
do
  ((SECONDS < deadline)) || fail "n1 did not catch up in 120 s; targets: $(tr '\n' ' ' <"$work/targets"); status: $(cat "$work/cluster.json" 2>/dev/null)"
  sleep 1
done
log "n1 caught up: on every shard it replicates, its applied index reached the commit index of the writes it missed"

for i in $(seq 1 20); do put "after$i" "x$i"; expect_get "after$i" "x$i"; expect_get "during$i" "w$i" eventual; done
log "after the restart: 20 more keys written and read back"

#!/usr/bin/env bash
# Builds the OrchidDB container image (default localhost/orchiddb:dev) from deploy/Dockerfile:
# builds the jars when sources changed (as ./orchiddb does: mvnw install -pl cli -am, no tests),
# stages the build context in deploy/target/image, then runs podman build (or docker build).
#
#   deploy/build-image.sh
#
# Environment:
#   ORCHIDDB_IMAGE       tag to build (default localhost/orchiddb:dev)
#   ORCHIDDB_BASE_IMAGE  base image; default: localhost/orchid-base:17 when that image exists
#                        (deploy/build-base-image.sh makes it), else the Dockerfile's default,
#                        eclipse-temurin:17-jre, pulled from Docker Hub
#   ORCHIDDB_ENGINE      podman or docker (default: see container-engine.sh)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=container-engine.sh
source "$root/deploy/container-engine.sh"
image="${ORCHIDDB_IMAGE:-localhost/orchiddb:dev}"
local_base=localhost/orchid-base:17
started=$SECONDS

engine="$(engine)"
base="${ORCHIDDB_BASE_IMAGE:-}"
if [ -z "$base" ] && "$engine" image inspect "$local_base" >/dev/null 2>&1; then
  base="$local_base"
fi

# The launcher builds the jars when any source is newer than the CLI jar, and only then.
"$root/orchiddb" --version >/dev/null

context="$root/deploy/target/image"
rm -rf "$context"
mkdir -p "$context/bin"
cp "$root/cli/target/orchiddb-cli.jar" "$context/"
cp -r "$root/cli/target/lib" "$context/lib"
cp "$root/deploy/image/java.security" "$root/deploy/image/jvm.options" "$root/deploy/image/node-jvm.options" "$context/"
cp "$root/deploy/image/orchiddb" "$root/deploy/image/orchiddb-healthcheck" "$context/bin/"
chmod 755 "$context/bin/"*

build=("$engine" build -t "$image" -f "$root/deploy/Dockerfile")
# Podman's default OCI format has no HEALTHCHECK; the docker format keeps it.
[ "$engine" = podman ] && build+=(--format docker)
[ -n "$base" ] && build+=(--build-arg "BASE_IMAGE=$base")
echo "build-image: $engine building $image from ${base:-eclipse-temurin:17-jre (the Dockerfile default)}"
if ! "${build[@]}" "$context" >"$context.log" 2>&1; then
  cat "$context.log" >&2
  echo "build-image: build failed (output above)." >&2
  [ -z "$base" ] && echo "  No registry reachable? Build a local base image first: deploy/build-base-image.sh" >&2
  exit 1
fi
bytes="$("$engine" image inspect -f '{{.Size}}' "$image")"
echo "build-image: built $image in $((SECONDS - started)) s ($((bytes / 1000000)) MB)"

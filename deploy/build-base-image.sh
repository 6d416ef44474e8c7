#!/usr/bin/env bash
# Builds the base image localhost/orchid-base:17 (Debian 12 + OpenJDK 17 JRE + procps + iproute2)
# from Debian packages, for machines that reach no container registry but do reach a Debian
# mirror (shared/CONTAINERS.md, option A). On a machine that can pull public images you do not
# need this: deploy/Dockerfile defaults to eclipse-temurin:17-jre.
#
#   deploy/build-base-image.sh            build unless the image already exists (cached)
#   deploy/build-base-image.sh --rebuild  build even if it exists
#
# Environment: ORCHIDDB_BASE_IMAGE (default localhost/orchid-base:17), DEBIAN_MIRROR (default:
# the first deb.debian.org-style URI in this machine's apt sources). Needs root, podman and
# debootstrap (deploy/podman-setup.sh installs both). Takes about 2 minutes on 2 cores.
set -euo pipefail
image="${ORCHIDDB_BASE_IMAGE:-localhost/orchid-base:17}"

if [ "${1:-}" != "--rebuild" ] && podman image exists "$image"; then
  echo "build-base-image: $image exists (use --rebuild to build it again)"
  exit 0
fi
[ "$(id -u)" = 0 ] || { echo "build-base-image: must run as root (debootstrap, chroot)" >&2; exit 2; }
command -v debootstrap >/dev/null || { echo "build-base-image: debootstrap missing; run deploy/podman-setup.sh" >&2; exit 2; }

mirror="${DEBIAN_MIRROR:-}"
if [ -z "$mirror" ]; then
  # deb822 sources (Debian 12) first, then the classic one-line format.
  mirror="$(grep -hs '^URIs:' /etc/apt/sources.list.d/*.sources | awk '{print $2}' | grep -v security | head -1 || true)"
  [ -n "$mirror" ] || mirror="$(grep -hs '^deb ' /etc/apt/sources.list | awk '{print $2}' | grep -v security | head -1 || true)"
  mirror="${mirror:-http://deb.debian.org/debian}"
fi

work="$(mktemp -d /var/tmp/orchid-base.XXXXXX)"
rootfs="$work/rootfs"
cleanup() {
  mountpoint -q "$rootfs/proc" 2>/dev/null && umount "$rootfs/proc"
  rm -rf "$work"
}
trap cleanup EXIT

started=$SECONDS
echo "build-base-image: debootstrap bookworm from $mirror (about 1 minute)"
debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 \
  || { tail -30 "$work/debootstrap.log" >&2; echo "build-base-image: debootstrap failed" >&2; exit 1; }

echo "build-base-image: installing openjdk-17-jre-headless procps iproute2 (about 40 s)"
cp /etc/resolv.conf "$rootfs/etc/resolv.conf"
mount -t proc proc "$rootfs/proc"
chroot "$rootfs" bash -c "export DEBIAN_FRONTEND=noninteractive && apt-get update -qq \
  && apt-get install -y -qq --no-install-recommends openjdk-17-jre-headless procps iproute2 \
  && apt-get clean && rm -rf /var/lib/apt/lists/*" >"$work/apt.log" 2>&1 \
  || { tail -30 "$work/apt.log" >&2; echo "build-base-image: installing the JRE failed" >&2; exit 1; }
umount "$rootfs/proc"
rm -f "$rootfs/etc/resolv.conf"
java_home="$(chroot "$rootfs" readlink -f /usr/bin/java)"
java_home="${java_home%/bin/java}"

tar -C "$rootfs" -c . | podman import \
  --change "ENV JAVA_HOME=$java_home" \
  --change 'ENV LANG=C.UTF-8' \
  --change 'CMD ["/bin/bash"]' - "$image" >/dev/null 2>"$work/import.log" \
  || { cat "$work/import.log" >&2; echo "build-base-image: podman import failed" >&2; exit 1; }
version="$(podman run --rm "$image" java -version 2>&1)" \
  || { echo "$version" >&2; echo "build-base-image: java does not run in $image" >&2; exit 1; }
echo "build-base-image: ${version%%$'\n'*}"
echo "build-base-image: built $image in $((SECONDS - started)) s"

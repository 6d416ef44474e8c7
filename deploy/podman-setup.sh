#!/usr/bin/env bash
# Makes Podman usable as root on a Debian 12 machine without a Docker engine: installs the
# packages and writes the two config files that shared/CONTAINERS.md found necessary (the
# defaults fail there: crun cannot run on the hybrid cgroup layout, and the default ulimits are
# above what the process may set without CAP_SYS_RESOURCE). Idempotent: installs only what is
# missing and rewrites a config file only when its content differs.
#
#   deploy/podman-setup.sh          install + configure (needs root and apt)
#   deploy/podman-setup.sh --check  exit 0 when podman runs a container here, 1 otherwise
set -euo pipefail

packages=(podman uidmap slirp4netns fuse-overlayfs containernetworking-plugins netavark aardvark-dns
  crun runc debootstrap podman-compose iptables busybox-static)

check() {
  command -v podman >/dev/null && podman info >/dev/null 2>&1
}

if [ "${1:-}" = "--check" ]; then
  check
  exit
fi

[ "$(id -u)" = 0 ] || { echo "podman-setup: must run as root (apt-get and /etc/containers)" >&2; exit 2; }

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "podman-setup: installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

write_if_changed() { # file, content
  if [ "$(cat "$1" 2>/dev/null)" != "$2" ]; then
    mkdir -p "$(dirname "$1")"
    printf '%s\n' "$2" >"$1"
    echo "podman-setup: wrote $1"
  fi
}

# ulimits must stay below the host's (nofile 20000 / nproc 96364 here): setting them equal or
# higher needs CAP_SYS_RESOURCE. runc, not crun: crun refuses the hybrid cgroup v1/v2 layout.
write_if_changed /etc/containers/containers.conf '[containers]
default_ulimits = ["nofile=16384:16384", "nproc=16384:16384"]
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
runtime = "runc"
[network]
network_backend = "netavark"'

write_if_changed /etc/containers/storage.conf '[storage]
driver = "overlay"
runroot = "/run/containers/storage"
graphroot = "/var/lib/containers/storage"'

if ! check; then
  podman info >&2 || true
  echo "podman-setup: podman is installed but 'podman info' fails (output above)" >&2
  exit 1
fi
echo "podman-setup: ok ($(podman --version), podman-compose $(podman-compose version 2>/dev/null | sed -n 's/^podman-compose[r]* version *//p' | head -1))"

# Sourced by the deploy scripts: which container engine and compose command to use.
#
# ORCHIDDB_ENGINE=podman|docker forces the engine. Otherwise podman when it runs here, else docker
# when its daemon answers. Podman comes first because on the build machines a docker CLI may exist
# with no daemon, or with DOCKER_HOST pointing at Podman's API socket (for Testcontainers), where
# `docker build` would go through Podman's Docker API instead of Podman itself.
#
# Compose: `podman-compose` with podman, the `docker compose` plugin (Compose v2) with docker; the
# compose file's top-level `name:` is a v2 feature the old docker-compose 1.x binary refuses.

engine() {
  if [ -n "${ORCHIDDB_ENGINE:-}" ]; then
    echo "$ORCHIDDB_ENGINE"
  elif command -v podman >/dev/null 2>&1 && podman info >/dev/null 2>&1; then
    echo podman
  elif command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; then
    echo docker
  else
    echo "no container engine: neither 'podman info' nor 'docker info' works here." >&2
    echo "  On Debian as root: deploy/podman-setup.sh. Elsewhere: install and start Docker." >&2
    return 1
  fi
}

# Prints the compose command for engine $1 as words, e.g. "docker compose".
compose_command() {
  case "$1" in
    podman)
      command -v podman-compose >/dev/null 2>&1 && { echo podman-compose; return; }
      echo "podman-compose is not installed (deploy/podman-setup.sh installs it)" >&2
      return 1 ;;
    docker)
      docker compose version >/dev/null 2>&1 && { echo docker compose; return; }
      echo "the 'docker compose' plugin (Compose v2) is not installed" >&2
      return 1 ;;
    *)
      echo "unknown engine '$1' (podman or docker)" >&2
      return 1 ;;
  esac
}

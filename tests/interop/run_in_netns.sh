#!/usr/bin/env bash
# Runs a command inside a fresh network namespace that this script creates
# and deletes: only a loopback interface (127.0.0.1 plus 127.0.0.2, which
# aioice needs to gather a candidate), so no test traffic and no stray DNS
# lookup can leave the machine. Needs root (CI runs as root).
#   run_in_netns.sh COMMAND [ARGS...]
set -euo pipefail
if [ "$(id -u)" -ne 0 ]; then
  echo "run_in_netns: must run as root to create a network namespace" >&2
  exit 1
fi
ns="aegis-test-$$-$RANDOM"
ip netns add "$ns"
trap 'ip netns pids "$ns" 2>/dev/null | xargs -r kill 2>/dev/null || true; ip netns delete "$ns"' EXIT
ip netns exec "$ns" ip link set lo up
ip netns exec "$ns" ip addr add 127.0.0.2/8 dev lo
scratch_home=$(mktemp -d)
trap 'ip netns pids "$ns" 2>/dev/null | xargs -r kill 2>/dev/null || true; ip netns delete "$ns"; rm -rf "$scratch_home"' EXIT
HOME="$scratch_home" ip netns exec "$ns" "$@"

#!/usr/bin/env bash
# Connection slots without a token (issue 9 item 3) against the running
# server: starts `aegis serve` without --dev twice on fresh data folders, on
# 127.0.0.1 and on [::1], gives the namespace's loopback the IPv6 prefixes
# the test connects from (the namespace is this test's own), mints the
# tokens and runs connection_slots.py. Meant to run inside run_in_netns.sh:
#   run_in_netns.sh connection_slots.sh AEGIS_BINARY
# Exits non-zero if a check fails, or a server cannot start or dies.
set -euo pipefail
source "$(dirname "$0")/server_harness.sh"
harness_init connection_slots "${1:-}"
python=${PYTHON:-/usr/bin/python3}
v4_port=18500
v6_port=18501

# 1000 connections, and then some, on each side.
ulimit -n 8192 2>/dev/null || ulimit -n "$(ulimit -Hn)"
# The IPv6 addresses the test connects from: 40 of one /64, one of another,
# three of a third (nodad: usable at once).
{
  for i in $(seq 1 40); do printf 'addr add fd00:aa::%x/64 dev lo nodad\n' "$i"; done
  echo "addr add fd00:bb::1/64 dev lo nodad"
  for i in 1 2 3; do echo "addr add fd00:cc::$i/64 dev lo nodad"; done
} | ip -6 -batch -

AEGIS_TOKEN_OFFICE=$(mint F office Office 10m)
AEGIS_TOKEN_EARLY=$(mint F early Early 10m)
AEGIS_TOKEN_LEGIT=$(mint F legit Legit 10m)
export AEGIS_TOKEN_OFFICE AEGIS_TOKEN_EARLY AEGIS_TOKEN_LEGIT

v6_data=$(mktemp -d)
v6_log=$(mktemp)
v6_server=""
harness_atexit '[ -n "$v6_server" ] && { kill "$v6_server" 2>/dev/null; wait "$v6_server" 2>/dev/null; }; rm -rf "$v6_data" "$v6_log"'
(cd "$repo_root" && exec "$aegis" serve --listen "[::1]:$v6_port" --data "$v6_data" --media-port 42000 >>"$v6_log" 2>&1) &
v6_server=$!
start_server "$v4_port" --media-port 41000 --token-leeway 0
for _ in $(seq 100); do
  (exec 3<>"/dev/tcp/::1/$v6_port") 2>/dev/null && break
  kill -0 "$v6_server" 2>/dev/null || { echo "connection_slots: the IPv6 server exited:" >&2; cat "$v6_log" >&2; exit 1; }
  sleep 0.1
done

status=0
AEGIS_SERVER_PID=$server "$python" "$here/connection_slots.py" "$v4_port" "$v6_port" || status=$?
kill -0 "$v6_server" 2>/dev/null || { echo "FAIL: the IPv6 server is no longer running" >&2; status=1; }
echo "--- IPv6 server log (last 20 lines)"
tail -n 20 "$v6_log"
finish "$status"

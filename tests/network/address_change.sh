#!/usr/bin/env bash
# The address change test (chromium_address_change.mjs). Inside the
# namespace run_in_netns.sh made (the server's), it makes a second one for
# the browser, joined by a veth pair: server 10.77.1.1, browser 10.77.1.2.
# The server listens there (HTTPS, its self-signed certificate) and the
# browser runs in the client namespace (chromium_in_netns.sh); the test
# moves the browser's address to 10.77.1.3 mid-call (address_move.sh).
#   run_in_netns.sh address_change.sh AEGIS_BINARY
set -euo pipefail
source "$(dirname "$0")/../interop/server_harness.sh"
harness_init address_change "${1:-}"
node=${NODE:-node}
client_ns="aegis-client-$$-$RANDOM"
ip netns add "$client_ns"
harness_atexit 'ip netns pids "$client_ns" 2>/dev/null | xargs -r kill 2>/dev/null || true; ip netns delete "$client_ns" 2>/dev/null || true'
ip link add veth-srv type veth peer name veth-cli
ip link set veth-cli netns "$client_ns"
ip addr add 10.77.1.1/24 dev veth-srv
ip link set veth-srv up
ip -n "$client_ns" link set lo up
# The move adds 10.77.1.3 and then deletes 10.77.1.2: without this, deleting
# a subnet's primary address deletes its secondaries with it, and the
# browser would be left with no address at all.
ip netns exec "$client_ns" sysctl -qw net.ipv4.conf.all.promote_secondaries=1 net.ipv4.conf.default.promote_secondaries=1
ip -n "$client_ns" addr add 10.77.1.2/24 dev veth-cli
ip -n "$client_ns" link set veth-cli up

AEGIS_TOKEN_A=$(mint M ada Ada 10m)
AEGIS_TOKEN_B=$(mint M grace Grace 10m)
export AEGIS_TOKEN_A AEGIS_TOKEN_B AEGIS_CLIENT_NETNS="$client_ns" AEGIS_CHROMIUM="$here/chromium_in_netns.sh"

port=18490
# /metrics answers loopback peers, or a bearer of this token (the listener
# is on the veth only).
AEGIS_METRICS_TOKEN=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
export AEGIS_METRICS_TOKEN
printf '%s\n' "$AEGIS_METRICS_TOKEN" >"$data/metrics-token"
chmod 600 "$data/metrics-token"
(cd "$repo_root" && exec "$aegis" serve --listen "10.77.1.1:$port" --data "$data" --media-port 41600 \
   --media-workers 1 --metrics-token-file "$data/metrics-token" >>"$log" 2>&1) &
server=$!
for _ in $(seq 100); do
  (exec 3<>"/dev/tcp/10.77.1.1/$port") 2>/dev/null && break
  kill -0 "$server" 2>/dev/null || { echo "address_change: aegis serve exited:" >&2; cat "$log" >&2; exit 1; }
  sleep 0.1
done
status=0
"$node" "$here/chromium_address_change.mjs" "https://10.77.1.1:$port" || status=$?
finish "$status"

#!/usr/bin/env bash
# Relay-only media through a real coturn (chromium_turn_relay.mjs). Inside the
# namespace run_in_netns.sh created, it puts two more addresses on loopback:
# 10.88.0.1 for the media server and 10.88.0.2 for the relay. coturn runs with
# packaging/coturn/turnserver.conf.example (every private range denied as a
# peer except the media server); one `aegis serve` offers that relay, another
# (no --turn-url) offers none; turn_peer_denied.py then checks the relay refuses
# every peer but the media server. Meant to run inside run_in_netns.sh:
#   run_in_netns.sh turn_relay.sh AEGIS_BINARY
# Set NODE to pick the node binary.
set -euo pipefail
source "$(dirname "$0")/server_harness.sh"
source "$(dirname "$0")/coturn.sh"
harness_init turn_relay "${1:-}"
node=${NODE:-node}
port=18480
plain_port=18481
media_address=10.88.0.1
turn_address=10.88.0.2
command -v turnserver >/dev/null || { echo "turn_relay: FAIL: no turnserver (Debian coturn; run scripts/setup.sh)" >&2; exit 1; }

ip addr add "$media_address/32" dev lo
ip addr add "$turn_address/32" dev lo
turn_dir=$(mktemp -d)
plain_data=$(mktemp -d)
plain_server=""
turn=""
harness_atexit 'kill $plain_server $turn 2>/dev/null || true; wait $plain_server $turn 2>/dev/null || true; rm -rf "$turn_dir" "$plain_data"'

coturn_config "$turn_dir" "$turn_address" "$media_address"
coturn_start "$turn_dir"

AEGIS_TOKEN_A=$(mint R ada "Ada" 10m)
AEGIS_TOKEN_B=$(mint R grace "Grace" 10m)
AEGIS_TOKEN_C=$("$aegis" token create --data "$plain_data" --room R --identity carol --name Carol --ttl 10m 2>>"$log")
AEGIS_TOKEN_D=$("$aegis" token create --data "$plain_data" --room P --identity dan --name Dan --ttl 10m 2>>"$log")
export AEGIS_TOKEN_A AEGIS_TOKEN_B AEGIS_TOKEN_C AEGIS_TOKEN_D
# Room R of the relay server and room P of the plain one are relay-only by
# policy: B joins without asking for it and gets it anyway; D is refused.
"$aegis" room policy --data "$data" --room R --relay-only on >>"$log"
"$aegis" room policy --data "$plain_data" --room P --relay-only on >>"$log"
export AEGIS_TURN_ADDRESS=$turn_address AEGIS_MEDIA_ADDRESS=$media_address

start_server "$port" --media-host "$media_address" --media-port 41600 --media-workers 1 \
  --turn-url "turn:$turn_address:3478?transport=udp" --turn-secret-file "$turn_dir/secret"
(cd "$repo_root" && exec "$aegis" serve --listen "127.0.0.1:$plain_port" --data "$plain_data" \
  --media-port 41650 --media-workers 1 >>"$log" 2>&1) &
plain_server=$!
wait_listening "$plain_port" "$plain_server"

status=0
"$node" "$here/chromium_turn_relay.mjs" "http://127.0.0.1:$port" "http://127.0.0.1:$plain_port" || status=$?
# With a valid credential, the relay still reaches nothing but the media server.
"${PYTHON:-/usr/bin/python3}" "$here/turn_peer_denied.py" "$turn_address" "$turn_dir/secret" "$media_address" || status=$?
# The relay did the work: coturn logged allocations and relayed to the media server.
if ! grep -q "peer $media_address" "$turn_dir/log"; then
  echo "FAIL: coturn's log shows no peer $media_address (nothing was relayed to the media server)" >&2
  status=1
fi
echo "--- coturn log (sessions and peers, last 40)"
grep -E "session|peer" "$turn_dir/log" | tail -n 40 || true
finish "$status"

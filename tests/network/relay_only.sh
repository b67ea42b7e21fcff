#!/usr/bin/env bash
# A relay-only room seen from the wire: the browser (in a namespace of its
# own, client_netns.sh) could reach the media server directly — nothing is
# blocked — but the room's policy is relay-only, so its address must never
# reach the media ports. A real coturn (packaging/coturn/turnserver.conf.
# example) listens on 10.77.1.1:3478; aegis serve offers it. A capture on
# the server's side of the veth (packet_count.py) counts what the browser's
# address sends where; two pages call through the relay
# (chromium_turn_tls.mjs with AEGIS_RELAY_PROTOCOL=udp).
#   run_in_netns.sh relay_only.sh AEGIS_BINARY
set -euo pipefail
source "$(dirname "$0")/../interop/server_harness.sh"
harness_init relay_only "${1:-}"
source "$here/client_netns.sh"
source "$here/../interop/coturn.sh"
node=${NODE:-node}
command -v turnserver >/dev/null || { echo "relay_only: FAIL: no turnserver (Debian coturn; run scripts/setup.sh)" >&2; exit 1; }
client_netns_up
port=18498
media_port=41680
address=10.77.1.1
client=10.77.1.2

turn_dir=$(mktemp -d)
turn=""
capture=""
harness_atexit 'kill $turn $capture 2>/dev/null || true; wait $turn $capture 2>/dev/null || true; rm -rf "$turn_dir"; client_netns_cleanup'
coturn_config "$turn_dir" "$address" "$address"
coturn_start "$turn_dir"

"$aegis" room policy --data "$data" --room S --relay-only on >>"$log"
AEGIS_TOKEN_A=$(mint S ada Ada 10m)
AEGIS_TOKEN_B=$(mint S grace Grace 10m)
export AEGIS_TOKEN_A AEGIS_TOKEN_B AEGIS_TURN_ADDRESS=$address AEGIS_RELAY_PROTOCOL=udp
serve_on_veth "$port" --media-port "$media_port" --media-workers 1 \
  --turn-url "turn:$address:3478?transport=udp" --turn-secret-file "$turn_dir/secret"

python3 "$here/packet_count.py" veth-srv "$client" 120 >"$turn_dir/capture.json" 2>"$turn_dir/capture.err" &
capture=$!
for _ in $(seq 50); do grep -q ready "$turn_dir/capture.err" 2>/dev/null && break; sleep 0.1; done
grep -q ready "$turn_dir/capture.err" || { echo "relay_only: FAIL: the capture did not start:" >&2; cat "$turn_dir/capture.err" >&2; exit 1; }

status=0
"$node" "$here/chromium_turn_tls.mjs" "https://$address:$port" || status=$?
kill -TERM "$capture"
wait "$capture" || true
capture=""
counts=$(cat "$turn_dir/capture.json")
echo "  captured on veth-srv from $client: $counts"
# What the browser sent to the media server's own ports (UDP and ICE-TCP),
# to the relay, and to the signaling port (the capture saw the call at all).
count_of() { python3 -c 'import json,sys; print(json.loads(sys.argv[1])["by_port"].get(sys.argv[2], 0))' "$counts" "$1"; }
to_media=$(( $(count_of "udp/$media_port") + $(count_of "tcp/$media_port") ))
to_relay=$(count_of udp/3478)
to_signaling=$(count_of "tcp/$port")
report_check() {
  if [ "$2" = true ]; then echo "ok   $1: $3"; else echo "FAIL $1: $3" >&2; status=1; fi
}
report_check "the capture saw the browser's signaling" "$([ "$to_signaling" -gt 0 ] && echo true || echo false)" "$to_signaling packets to tcp/$port"
report_check "the browser's media went to the relay" "$([ "$to_relay" -gt 100 ] && echo true || echo false)" "$to_relay packets to udp/3478"
report_check "no packet from the browser's address reached the media ports" "$([ "$to_media" -eq 0 ] && echo true || echo false)" "$to_media packets to udp/tcp $media_port"
finish "$status"

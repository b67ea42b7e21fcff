#!/usr/bin/env bash
# The TURN-over-TLS test (chromium_turn_tls.mjs): the browser in a namespace
# of its own (client_netns.sh) that may send no UDP at all and no TCP to the
# media server's ports or to TURN's plain port: only HTTPS-like TCP gets
# out, to the signaling port and to 443. A real coturn
# (packaging/coturn/turnserver.conf.example with its TLS lines enabled and a
# certificate made here) listens on 10.77.1.1:443; aegis serve offers it as
# turns:10.77.1.1:443?transport=tcp. The call must go through it.
#   run_in_netns.sh turn_tls_only.sh AEGIS_BINARY
set -euo pipefail
source "$(dirname "$0")/../interop/server_harness.sh"
harness_init turn_tls_only "${1:-}"
source "$here/client_netns.sh"
source "$here/../interop/coturn.sh"
node=${NODE:-node}
command -v turnserver >/dev/null || { echo "turn_tls_only: FAIL: no turnserver (Debian coturn; run scripts/setup.sh)" >&2; exit 1; }
client_netns_up
port=18496
media_port=41660
address=10.77.1.1
ip -n "$client_ns" rule add ipproto udp prohibit priority 100
ip -n "$client_ns" rule add ipproto tcp dport "$media_port" prohibit priority 101
ip -n "$client_ns" rule add ipproto tcp dport 3478 prohibit priority 102

turn_dir=$(mktemp -d)
turn=""
harness_atexit 'kill $turn 2>/dev/null || true; wait $turn 2>/dev/null || true; rm -rf "$turn_dir"; client_netns_cleanup'
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj "/CN=$address" \
  -addext "subjectAltName=IP:$address" -keyout "$turn_dir/key.pem" -out "$turn_dir/cert.pem" 2>/dev/null
coturn_config "$turn_dir" "$address" "$address" \
  -e '/^no-tls$/d' -e 's/^#tls-listening-port=/tls-listening-port=/' \
  -e "s|^#cert=.*|cert=$turn_dir/cert.pem|" -e "s|^#pkey=.*|pkey=$turn_dir/key.pem|"
grep -q '^tls-listening-port=443$' "$turn_dir/turnserver.conf" || { echo "turn_tls_only: FAIL: the example's TLS lines did not apply" >&2; exit 1; }
coturn_start "$turn_dir"

AEGIS_TOKEN_A=$(mint S ada Ada 10m)
AEGIS_TOKEN_B=$(mint S grace Grace 10m)
export AEGIS_TOKEN_A AEGIS_TOKEN_B AEGIS_TURN_ADDRESS=$address
serve_on_veth "$port" --media-port "$media_port" --media-workers 1 \
  --turn-url "turns:$address:443?transport=tcp" --turn-secret-file "$turn_dir/secret"
status=0
"$node" "$here/chromium_turn_tls.mjs" "https://$address:$port" || status=$?
if ! grep -q "peer $address" "$turn_dir/log"; then
  echo "FAIL: coturn's log shows no peer $address (nothing was relayed to the media server)" >&2
  status=1
fi
echo "--- coturn log (TLS sessions and peers, last 20)"
grep -E "TLS|peer" "$turn_dir/log" | tail -n 20 || true
finish "$status"

#!/usr/bin/env bash
# The screen sharing test (chromium_screen_share.mjs): starts `aegis serve`
# on a fresh data folder with room S set to require end-to-end encryption,
# mints tokens (room S and the plain room P), runs the test, stops the server. Meant to run inside
# run_in_netns.sh:
#   run_in_netns.sh screen_share.sh AEGIS_BINARY ARTIFACT_DIR
# A screenshot lands in ARTIFACT_DIR. Set NODE to pick the node binary.
set -euo pipefail
source "$(dirname "$0")/server_harness.sh"
harness_init screen_share "${1:-}"
artifacts=${2:?usage: screen_share.sh AEGIS_BINARY ARTIFACT_DIR}
node=${NODE:-node}
port=18470
media_port=41500

"$aegis" room policy --data "$data" --room S --e2ee required >>"$log" 2>&1 || {
  echo "screen_share: FAIL: aegis room policy --room S --e2ee required failed:" >&2; cat "$log" >&2; exit 1;
}
AEGIS_TOKEN_A=$(mint S ada "Ada Lovelace" 10m)
AEGIS_TOKEN_B=$(mint S grace "Grace Hopper" 10m)
# Room P has no policy: no E2EE, the screen mark comes from signaling only.
AEGIS_TOKEN_PA=$(mint P ada "Ada Lovelace" 10m)
AEGIS_TOKEN_PB=$(mint P grace "Grace Hopper" 10m)
export AEGIS_TOKEN_A AEGIS_TOKEN_B AEGIS_TOKEN_PA AEGIS_TOKEN_PB

start_server "$port" --media-port "$media_port" --media-workers 1
status=0
"$node" "$here/chromium_screen_share.mjs" "http://127.0.0.1:$port" "$artifacts" || status=$?
finish "$status"

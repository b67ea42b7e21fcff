#!/usr/bin/env bash
# The loss recovery test (chromium_loss_recovery.mjs): starts `aegis serve`
# with its media candidates announced on 127.0.0.2, where the test's UDP
# relay (../interop/udp_relay.mjs) forwards to the server's 127.0.0.1 and
# loses and delays media; mints two tokens for room L, runs the test, stops
# the server. Meant to run inside run_in_netns.sh:
#   run_in_netns.sh loss_recovery.sh AEGIS_BINARY
# Set NODE to pick the node binary.
set -euo pipefail
source "$(dirname "$0")/../interop/server_harness.sh"
harness_init loss_recovery "${1:-}"
node=${NODE:-node}
port=18470
media_port=41400

AEGIS_TOKEN_A=$(mint L ada Ada 10m)
AEGIS_TOKEN_B=$(mint L grace Grace 10m)
export AEGIS_TOKEN_A AEGIS_TOKEN_B AEGIS_RELAY="127.0.0.2:$media_port>127.0.0.1:$media_port"

start_server "$port" --media-port "$media_port" --media-workers 1 --announce 127.0.0.2
status=0
"$node" "$here/chromium_loss_recovery.mjs" "http://127.0.0.1:$port" || status=$?
finish "$status"

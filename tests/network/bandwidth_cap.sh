#!/usr/bin/env bash
# The bandwidth cap test (chromium_bandwidth_cap.mjs): starts `aegis serve`
# with its media candidates announced on 127.0.0.2, where the test's UDP
# relay (../interop/udp_relay.mjs) forwards to the server's 127.0.0.1 and
# makes a bottleneck of each downstream link; mints two tokens for room W, runs the test, stops
# the server. Meant to run inside run_in_netns.sh:
#   run_in_netns.sh bandwidth_cap.sh AEGIS_BINARY
# Set NODE to pick the node binary.
set -euo pipefail
source "$(dirname "$0")/../interop/server_harness.sh"
harness_init bandwidth_cap "${1:-}"
node=${NODE:-node}
port=18475
media_port=41450

AEGIS_TOKEN_A=$(mint W ada Ada 10m)
AEGIS_TOKEN_B=$(mint W grace Grace 10m)
export AEGIS_TOKEN_A AEGIS_TOKEN_B AEGIS_RELAY="127.0.0.2:$media_port>127.0.0.1:$media_port"

start_server "$port" --media-port "$media_port" --media-workers 1 --announce 127.0.0.2
status=0
"$node" "$here/chromium_bandwidth_cap.mjs" "http://127.0.0.1:$port" || status=$?
finish "$status"

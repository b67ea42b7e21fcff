#!/usr/bin/env bash
# One publisher behind a slow uplink (chromium_publisher_uplink.mjs): pages
# A and B in this namespace, page C in one of its own (client_netns.sh)
# whose upstream, the browser's side of its veth, the test turns into a
# 200 kbit/s bottleneck with 500 ms of queue (tc tbf), as a home uplink is.
# The server reports arrivals to publishers (--publisher-transport-cc on);
# AEGIS_PUBLISHER_TRANSPORT_CC=off runs the same case without, for the
# figures it is compared with (docs/benchmarks.md).
#   run_in_netns.sh publisher_uplink.sh AEGIS_BINARY
set -euo pipefail
source "$(dirname "$0")/../interop/server_harness.sh"
harness_init publisher_uplink "${1:-}"
source "$here/client_netns.sh"
node=${NODE:-node}
command -v tc >/dev/null || { echo "publisher_uplink: FAIL: no tc (Debian iproute2)" >&2; exit 1; }
client_netns_up

AEGIS_TOKEN_A=$(mint U ada Ada 10m)
AEGIS_TOKEN_B=$(mint U grace Grace 10m)
AEGIS_TOKEN_C=$(mint U carol Carol 10m)
export AEGIS_TOKEN_A AEGIS_TOKEN_B AEGIS_TOKEN_C AEGIS_CAPPED_LINK=veth-cli

port=18499
serve_on_veth "$port" --media-port 41700 --media-workers 1 \
  --publisher-transport-cc "${AEGIS_PUBLISHER_TRANSPORT_CC:-on}"
status=0
"$node" "$here/chromium_publisher_uplink.mjs" "https://10.77.1.1:$port" || status=$?
finish "$status"

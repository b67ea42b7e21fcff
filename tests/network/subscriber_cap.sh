#!/usr/bin/env bash
# One subscriber behind a slow link (chromium_subscriber_cap.mjs): pages A
# and B in this namespace, page C in one of its own (client_netns.sh) whose
# downstream, the server side of its veth, the test turns into a 250 kbit/s
# bottleneck with the kernel's token bucket filter (tc tbf: there is no
# netem here, but tbf is), as an access link would be.
#   run_in_netns.sh subscriber_cap.sh AEGIS_BINARY
set -euo pipefail
source "$(dirname "$0")/../interop/server_harness.sh"
harness_init subscriber_cap "${1:-}"
source "$here/client_netns.sh"
node=${NODE:-node}
command -v tc >/dev/null || { echo "subscriber_cap: FAIL: no tc (Debian iproute2)" >&2; exit 1; }
client_netns_up

AEGIS_TOKEN_A=$(mint K ada Ada 10m)
AEGIS_TOKEN_B=$(mint K grace Grace 10m)
AEGIS_TOKEN_C=$(mint K carol Carol 10m)
export AEGIS_TOKEN_A AEGIS_TOKEN_B AEGIS_TOKEN_C AEGIS_CAPPED_LINK=veth-srv

port=18497
serve_on_veth "$port" --media-port 41670 --media-workers 1
status=0
"$node" "$here/chromium_subscriber_cap.mjs" "https://10.77.1.1:$port" || status=$?
finish "$status"

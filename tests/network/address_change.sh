#!/usr/bin/env bash
# The address change test (chromium_address_change.mjs): the browser in a
# namespace of its own (client_netns.sh), its address moved from 10.77.1.2
# to 10.77.1.3 mid-call by the test.
#   run_in_netns.sh address_change.sh AEGIS_BINARY
set -euo pipefail
source "$(dirname "$0")/../interop/server_harness.sh"
harness_init address_change "${1:-}"
source "$here/client_netns.sh"
node=${NODE:-node}
client_netns_up

AEGIS_TOKEN_A=$(mint M ada Ada 10m)
AEGIS_TOKEN_B=$(mint M grace Grace 10m)
export AEGIS_TOKEN_A AEGIS_TOKEN_B

port=18490
serve_on_veth "$port" --media-port 41600 --media-workers 1
status=0
"$node" "$here/chromium_address_change.mjs" "https://10.77.1.1:$port" || status=$?
finish "$status"

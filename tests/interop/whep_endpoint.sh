#!/usr/bin/env bash
# The WHEP endpoint (docs/protocol.md §1b) end to end (whep_endpoint.py):
# starts `aegis serve` with room E requiring end-to-end encryption and checks
# what a WHEP viewer gets today: 401/403/405 exactly as WHIP, 403 for the
# E2EE room, and 501 for an admitted viewer (playback is not implemented:
# nothing is created, no participant appears). Meant to run inside
# run_in_netns.sh:
#   run_in_netns.sh whep_endpoint.sh AEGIS_BINARY
set -euo pipefail
source "$(dirname "$0")/server_harness.sh"
harness_init whep_endpoint "${1:-}"
python=${PYTHON:-/usr/bin/python3}
port=18451

"$aegis" room policy --data "$data" --room E --e2ee required >>"$log" 2>&1
export AEGIS_BIN="$aegis" AEGIS_DATA="$data"
start_server "$port" --media-port 41500
status=0
"$python" "$here/whep_endpoint.py" "$port" || status=$?
finish "$status"

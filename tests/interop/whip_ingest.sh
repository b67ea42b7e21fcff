#!/usr/bin/env bash
# WHIP ingest (RFC 9725) end to end (whip_ingest.py): starts `aegis serve`
# on a fresh data folder with room E requiring end-to-end encryption, then
# aiortc publishes audio and video over WHIP into room W while an aiortc
# participant on the WebSocket protocol decodes it, and another WHIP session
# into room P where Chromium (chromium_decodes_aiortc.mjs) decodes it; token
# failures, the E2EE room, PATCH, DELETE and a session whose media never
# connects are checked. Set NODE / PYTHON to pick the interpreters.
# Meant to run inside run_in_netns.sh:
#   run_in_netns.sh whip_ingest.sh AEGIS_BINARY
set -euo pipefail
source "$(dirname "$0")/server_harness.sh"
harness_init whip_ingest "${1:-}"
python=${PYTHON:-/usr/bin/python3}
port=18449

"$aegis" room policy --data "$data" --room E --e2ee required >>"$log" 2>&1
export AEGIS_BIN="$aegis" AEGIS_DATA="$data"
start_server "$port" --media-port 41400 --token-leeway 0
status=0
"$python" "$here/whip_ingest.py" "$port" || status=$?
finish "$status"

#!/usr/bin/env bash
# WHEP playback (docs/protocol.md §1b) end to end (whep_endpoint.py):
# starts `aegis serve` with room E requiring end-to-end encryption; two
# aiortc participants publish into room V and aiortc WHEP viewers decode
# the newest publisher's and a named participant's audio+video; token
# failures (401), a token without subscribe and the E2EE room (403),
# PATCH (405) and DELETE are checked. Meant to run inside run_in_netns.sh:
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

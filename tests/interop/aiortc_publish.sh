#!/usr/bin/env bash
# aiortc publishes, Chromium decodes: a second, independent WebRTC
# implementation through the server. Starts `aegis serve` on a fresh data
# folder, an aiortc participant (aegis_client.py) that joins room P and
# publishes a moving 320x240 test picture and a tone, then
# chromium_decodes_aiortc.mjs, whose Chromium page joins room P and must
# decode both. The aiortc participant in turn must decode the page's video
# (checked when it is stopped). Meant to run inside run_in_netns.sh:
#   run_in_netns.sh aiortc_publish.sh AEGIS_BINARY
# Exits non-zero if either side fails, or the server cannot start or dies.
# Set NODE / PYTHON to pick the interpreters.
set -euo pipefail
source "$(dirname "$0")/server_harness.sh"
harness_init aiortc_publish "${1:-}"
node=${NODE:-node}
python=${PYTHON:-/usr/bin/python3}
port=18443
ready=$(mktemp -u)
participant=""
harness_atexit 'if [ -n "$participant" ]; then kill "$participant" 2>/dev/null || true; wait "$participant" 2>/dev/null || true; fi; rm -f "$ready"'

token_aiortc=$(mint P aiortc aiortc 10m)
AEGIS_TOKEN_CHROMIUM=$(mint P chromium Chromium 10m)

start_server "$port" --media-port 41000 --token-leeway 0

# The aiortc participant: joins, publishes, writes its id to $ready once its
# publisher connection is up, and stays until SIGTERM.
"$python" "$here/aegis_client.py" "ws://127.0.0.1:$port/ws" --room P --token "$token_aiortc" --name aiortc \
  --publish --width 320 --height 240 --ready-file "$ready" --expect-video-from Chromium --max-seconds 170 &
participant=$!
for _ in $(seq 200); do
  [ -s "$ready" ] && break
  kill -0 "$participant" 2>/dev/null || break
  sleep 0.1
done
if [ ! -s "$ready" ]; then
  echo "FAIL: the aiortc participant did not join and publish within 20 s" >&2
  tail -n 50 "$log"
  exit 1
fi
AEGIS_AIORTC_ID=$(head -n 1 "$ready")
AEGIS_AIORTC_NAME=aiortc
AEGIS_AIORTC_WIDTH=320
AEGIS_AIORTC_HEIGHT=240
export AEGIS_TOKEN_CHROMIUM AEGIS_AIORTC_ID AEGIS_AIORTC_NAME AEGIS_AIORTC_WIDTH AEGIS_AIORTC_HEIGHT

status=0
"$node" "$here/chromium_decodes_aiortc.mjs" "http://127.0.0.1:$port" || status=$?

# Stop the aiortc participant: it leaves, prints what it sent and received,
# and fails if it did not decode the page's video.
kill -TERM "$participant" 2>/dev/null || true
participant_status=0
wait "$participant" || participant_status=$?
participant=""
if [ "$participant_status" -ne 0 ]; then
  echo "FAIL: the aiortc participant reported failure (status $participant_status)" >&2
  status=1
fi
finish "$status"

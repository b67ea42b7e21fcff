#!/usr/bin/env bash
# ICE path hijack on the wire: starts `aegis serve` on a fresh data folder,
# mints the tokens and runs ice_hijack.py (an aiortc call in room H whose
# subscriber signs checks for its own connection from a third address,
# 127.0.0.9, then vanishes and keeps checking from its old address: no media
# may reach an address that never answered the server's own check, and
# consent may not outlive the real client). Meant to run inside
# run_in_netns.sh (127.0.0.0/8 on its loopback):
#   run_in_netns.sh ice_hijack.sh AEGIS_BINARY
# Exits non-zero if a check fails, or the server cannot start or dies.
# Set PYTHON to pick the interpreter.
set -euo pipefail
source "$(dirname "$0")/server_harness.sh"
harness_init ice_hijack "${1:-}"
python=${PYTHON:-/usr/bin/python3}
port=18443

AEGIS_TOKEN_PUB=$(mint H pub Publisher 10m)
AEGIS_TOKEN_SUB=$(mint H sub Subscriber 10m)
export AEGIS_TOKEN_PUB AEGIS_TOKEN_SUB

start_server "$port" --media-port 41000 --token-leeway 0
status=0
"$python" "$here/ice_hijack.py" "$port" || status=$?
finish "$status"

#!/usr/bin/env bash
# Bad input against the running server while a call keeps flowing: starts
# `aegis serve` on a fresh data folder, mints the tokens, runs
# signaling_abuse.py (two aiortc participants in a call in room A, then
# malformed/oversized/unknown messages, forged and misused tokens, floods and
# a cross-site upgrade from other connections) and stops the server. Meant to
# run inside run_in_netns.sh, whose loopback has 127.0.0.2 as well (the burst
# of joins comes from there):
#   run_in_netns.sh signaling_abuse.sh AEGIS_BINARY
# Exits non-zero if a check fails, or the server cannot start or dies.
# Set PYTHON to pick the interpreter.
set -euo pipefail
source "$(dirname "$0")/server_harness.sh"
harness_init signaling_abuse "${1:-}"
python=${PYTHON:-/usr/bin/python3}
port=18443

AEGIS_TOKEN_A_PUB=$(mint A pub Publisher 10m)
AEGIS_TOKEN_A_SUB=$(mint A sub Subscriber 10m)
AEGIS_TOKEN_A_NOPUB=$(mint A nopub NoPublish 10m --no-publish)
AEGIS_TOKEN_A_SPARE=$(mint A spare Spare 10m)
AEGIS_TOKEN_B=$(mint B intruder Intruder 10m)
AEGIS_TOKEN_C=$(mint C burst Burst 10m)
export AEGIS_TOKEN_A_PUB AEGIS_TOKEN_A_SUB AEGIS_TOKEN_A_NOPUB AEGIS_TOKEN_A_SPARE AEGIS_TOKEN_B AEGIS_TOKEN_C

start_server "$port" --media-port 41000 --token-leeway 0 --dev  # the dev-token checks need it
status=0
"$python" "$here/signaling_abuse.py" "$port" || status=$?
finish "$status"

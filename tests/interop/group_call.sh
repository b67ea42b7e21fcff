#!/usr/bin/env bash
# Group-call test of the server and the browser app: starts `aegis serve` on
# a fresh data folder, mints the tokens the test needs, runs
# chromium_group_call.mjs against it (with the server's log, whose "left
# room" lines carry per-connection RTP counters), then stops the server. Meant to run
# inside run_in_netns.sh:
#   run_in_netns.sh group_call.sh AEGIS_BINARY
# Exits with the test's status (non-zero also when the server cannot start
# or dies during the test). Set NODE to pick the node binary.
set -euo pipefail
source "$(dirname "$0")/server_harness.sh"
harness_init group_call "${1:-}"
node=${NODE:-node}
port=18443

# The expired token first: by the time the others are minted and the server
# is up it is close to expiry; the test waits out the rest (exp + 1 s, as the
# server runs with --token-leeway 0).
AEGIS_TOKEN_EXPIRED=$(mint A late Late 1s)
AEGIS_TOKEN_A1=$(mint A a1 A1 10m)
AEGIS_TOKEN_A2=$(mint A a2 A2 10m)
AEGIS_TOKEN_A3=$(mint A a3 A3 10m)
AEGIS_TOKEN_B1=$(mint B b1 B1 10m)
AEGIS_TOKEN_B2=$(mint B b2 B2 10m)
AEGIS_TOKEN_BOSS=$(mint B boss Boss 10m --admin)
AEGIS_TOKEN_TO_FORGE=$(mint A forger Forger 10m)
AEGIS_TOKEN_ROOM_B=$(mint B intruder Intruder 10m)
export AEGIS_TOKEN_EXPIRED AEGIS_TOKEN_A1 AEGIS_TOKEN_A2 AEGIS_TOKEN_A3 AEGIS_TOKEN_B1 AEGIS_TOKEN_B2 AEGIS_TOKEN_BOSS \
       AEGIS_TOKEN_TO_FORGE AEGIS_TOKEN_ROOM_B

start_server "$port" --media-port 41000 --token-leeway 0
status=0
AEGIS_SERVER_LOG="$log" "$node" "$here/chromium_group_call.mjs" "http://127.0.0.1:$port" || status=$?
finish "$status"

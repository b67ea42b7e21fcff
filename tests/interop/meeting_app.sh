#!/usr/bin/env bash
# The meeting app test (chromium_meeting_app.mjs): starts `aegis serve` on a
# fresh data folder, serving a copy of web/ plus the test-only page
# web_meeting/meeting_bots.html, with its media candidates announced on
# 127.0.0.2, where the test's UDP relay (udp_relay.mjs) forwards to the
# server's 127.0.0.1 and can lose and delay media. Mints the tokens, runs the
# test, stops the server. Meant to run inside run_in_netns.sh:
#   run_in_netns.sh meeting_app.sh AEGIS_BINARY ARTIFACT_DIR
# Screenshots land in ARTIFACT_DIR. Set NODE to pick the node binary.
set -euo pipefail
source "$(dirname "$0")/server_harness.sh"
harness_init meeting_app "${1:-}"
artifacts=${2:?usage: meeting_app.sh AEGIS_BINARY ARTIFACT_DIR}
node=${NODE:-node}
port=18460
media_port=41300

web=$(mktemp -d)
harness_atexit 'rm -rf "$web"'
cp -R "$repo_root/web/." "$web/"
cp "$here/web_meeting/meeting_bots.html" "$here/web_meeting/meeting_bots.js" "$web/"

AEGIS_TOKEN_A=$(mint M ada "Ada Lovelace" 10m)
AEGIS_TOKEN_B=$(mint M grace "Grace Hopper" 10m)
AEGIS_TOKEN_C=$(mint M alan "Alan Turing" 10m)
AEGIS_TOKEN_D=$(mint M dennis "Dennis Ritchie" 10m)
bots=""
for who in "katherine:Katherine Johnson" "edsger:Edsger Dijkstra" "barbara:Barbara Liskov"; do
  token=$(mint M "${who%%:*}" "${who#*:}" 10m --no-subscribe)
  bots+="${bots:+&}${who#*:}=$token"
done
bots=${bots// /+}
export AEGIS_TOKEN_A AEGIS_TOKEN_B AEGIS_TOKEN_C AEGIS_TOKEN_D
export AEGIS_BOT_TOKENS="$bots" AEGIS_RELAY="127.0.0.2:$media_port>127.0.0.1:$media_port"

# --dev: the invite panel's guest link asks /api/dev-token (loopback only).
start_server "$port" --web "$web" --media-port "$media_port" --media-workers 1 --announce 127.0.0.2 --dev
status=0
"$node" "$here/chromium_meeting_app.mjs" "http://127.0.0.1:$port" "$artifacts" || status=$?
finish "$status"

#!/usr/bin/env bash
# aegis-bot and Chromium in one room (room C, no E2EE): the bot publishes its
# test pattern (VP8 and Opus, src/media) and Chromium (chromium_sees_bot.mjs)
# receives and decodes its audio and video; Chromium publishes its fake
# camera and microphone and the bot receives both tracks (packets above zero
# and rising, no SRTP errors) and decodes them (libvpx, libopus: frames
# decoded, no decode errors).
# Meant to run inside run_in_netns.sh:
#   run_in_netns.sh bot_chromium.sh AEGIS_BINARY AEGIS_BOT_BINARY
set -euo pipefail
source "$(dirname "$0")/server_harness.sh"
harness_init bot_chromium "${1:-}"
bot=$(realpath "${2:?usage: bot_chromium.sh AEGIS_BINARY AEGIS_BOT_BINARY}")
node=${NODE:-node}
port=18462
out=$(mktemp)
bot_pid=""
harness_atexit '[ -n "$bot_pid" ] && kill "$bot_pid" 2>/dev/null; rm -f "$out"'

start_server "$port" --media-port 41470 --media-workers 1
t_bot=$(mint C bot Bot 10m)
AEGIS_TOKEN_CHROMIUM=$(mint C chromium Chromium 10m)
export AEGIS_TOKEN_CHROMIUM
status=0

"$bot" --url "ws://127.0.0.1:$port/ws" --room C --token "$t_bot" --seconds 70 >"$out" 2>&1 &
bot_pid=$!
for _ in $(seq 100); do grep -q '^joined room C as ' "$out" && break; sleep 0.1; done
AEGIS_BOT_ID=$(sed -n 's/^joined room C as //p' "$out")
export AEGIS_BOT_ID
"$node" "$here/chromium_sees_bot.mjs" "http://127.0.0.1:$port" || status=$?
# The bot's view of Chromium: its last reports, then its final line.
sleep 2
kill -TERM "$bot_pid"
wait "$bot_pid" || { echo "FAIL: the bot exited $?" >&2; status=1; }
bot_pid=""
echo "--- aegis-bot"; tail -n 9 "$out"
if ! grep -q '^final .* srtp_errors=0 tracks=2$' "$out"; then
  echo "FAIL: the bot did not end with Chromium's two tracks and no SRTP errors" >&2; status=1
fi
# Chromium has left by now, so "rising": the bot's per-second counts took at
# least three different values (two one-second steps up) while it was there.
for kind in audio video; do
  counts=$(grep -o "kind=$kind packets=[0-9]*" "$out" | sed 's/.*packets=//')
  last=$(echo "$counts" | tail -n 1)
  steps=$(echo "$counts" | sort -un | wc -l)
  if [ -z "$last" ] || [ "$last" -le 0 ] || [ "$steps" -lt 3 ]; then
    echo "FAIL: the bot's $kind packets from Chromium not above zero and rising ($steps values, last $last)" >&2; status=1
  else
    echo "bot receives Chromium's $kind: $last packets, rising over $steps per-second reports"
  fi
done
# What the bot decoded of Chromium's tracks, from its final report.
for kind in audio video; do
  line=$(sed -n '/^final /,$p' "$out" | grep "kind=$kind " | tail -n 1)
  decoded=$(echo "$line" | sed -n 's/.* decoded=\([0-9]*\).*/\1/p')
  errors=$(echo "$line" | sed -n 's/.* decode_errors=\([0-9]*\).*/\1/p')
  if [ -z "$decoded" ] || [ "$decoded" -lt 50 ] || [ "${errors:-1}" -ne 0 ]; then
    echo "FAIL: the bot did not decode Chromium's $kind (decoded '${decoded}', errors '${errors}'): $line" >&2; status=1
  else
    unit=frames; [ "$kind" = audio ] && unit=packets
    echo "bot decodes Chromium's $kind: $decoded $unit, no decode errors"
  fi
done
finish "$status"

#!/usr/bin/env bash
# aegis-bot end to end: starts `aegis serve` with room E requiring end-to-end
# encryption; two aegis-bot processes join room B, publish their test
# patterns and must each receive the other's audio and video (packet counts
# above zero and rising, no SRTP errors); a bot joining room E is refused
# with e2ee_required and exits 1.
# Meant to run inside run_in_netns.sh:
#   run_in_netns.sh bot_call.sh AEGIS_BINARY AEGIS_BOT_BINARY
set -euo pipefail
source "$(dirname "$0")/server_harness.sh"
harness_init bot_call "${1:-}"
bot=$(realpath "${2:?usage: bot_call.sh AEGIS_BINARY AEGIS_BOT_BINARY}")
port=18461
out1=$(mktemp) out2=$(mktemp) out3=$(mktemp)
harness_atexit 'rm -f "$out1" "$out2" "$out3"'

"$aegis" room policy --data "$data" --room E --e2ee required >>"$log" 2>&1
start_server "$port" --media-port 41460
url="ws://127.0.0.1:$port/ws"
t1=$(mint B bot1 Bot1 10m)
t2=$(mint B bot2 Bot2 10m)
t3=$(mint E bot3 Bot3 10m)
status=0

"$bot" --version | grep -q '^aegis-bot ' || { echo "FAIL: --version" >&2; status=1; }
"$bot" --help | grep -q -- '--seconds' || { echo "FAIL: --help" >&2; status=1; }

"$bot" --url "$url" --room B --token "$t1" --seconds 8 >"$out1" 2>&1 &
b1=$!
sleep 0.5
"$bot" --url "$url" --room B --token "$t2" --seconds 7 >"$out2" 2>&1 &
b2=$!
wait "$b1" || { echo "FAIL: bot 1 exited $?" >&2; status=1; }
wait "$b2" || { echo "FAIL: bot 2 exited $?" >&2; status=1; }

# Each bot: two tracks in its final statistics, both with packets, and the
# counts rising between its last two per-second reports.
check() {
  local name=$1 file=$2
  echo "--- $name"; tail -n 12 "$file"
  if ! grep -q '^final .* srtp_errors=0 tracks=2$' "$file"; then
    echo "FAIL: $name: no final line with two tracks and no SRTP errors" >&2; return 1
  fi
  for kind in audio video; do
    local counts
    counts=$(grep -o "kind=$kind packets=[0-9]*" "$file" | sed 's/.*packets=//')
    local last prev
    last=$(echo "$counts" | tail -n 1); prev=$(echo "$counts" | tail -n 3 | head -n 1)
    if [ -z "$last" ] || [ "$last" -le 0 ] || [ "$last" -le "${prev:-0}" ]; then
      echo "FAIL: $name: $kind packets not above zero and rising ($prev -> $last)" >&2; return 1
    fi
    echo "$name $kind: $prev -> $last packets"
  done
}
check bot1 "$out1" || status=1
check bot2 "$out2" || status=1

e2ee_status=0
"$bot" --url "$url" --room E --token "$t3" --seconds 5 >"$out3" 2>&1 || e2ee_status=$?
cat "$out3"
if [ "$e2ee_status" -ne 1 ] || ! grep -q 'refused: e2ee_required: ' "$out3"; then
  echo "FAIL: the E2EE-required room did not refuse the bot clearly (exit $e2ee_status)" >&2; status=1
fi
finish "$status"

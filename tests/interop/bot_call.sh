#!/usr/bin/env bash
# aegis-bot end to end: starts `aegis serve` with room E requiring end-to-end
# encryption; two aegis-bot processes join room B, publish their test
# patterns and must each receive the other's audio and video (packet counts
# above zero and rising, no SRTP errors) and decode them (VP8 frames at
# 320x240 and Opus packets, no decode errors); a bot joining room E is refused
# with e2ee_required and exits 1. GET /metrics from loopback shows the call:
# two participants in one room during it; RTP received and forwarded, UDP
# datagrams and bytes both ways, worker busy time after it.
# Meant to run inside run_in_netns.sh:
#   run_in_netns.sh bot_call.sh AEGIS_BINARY AEGIS_BOT_BINARY
set -euo pipefail
source "$(dirname "$0")/server_harness.sh"
harness_init bot_call "${1:-}"
bot=$(realpath "${2:?usage: bot_call.sh AEGIS_BINARY AEGIS_BOT_BINARY}")
port=18461
out1=$(mktemp) out2=$(mktemp) out3=$(mktemp) during=$(mktemp) after=$(mktemp)
harness_atexit 'rm -f "$out1" "$out2" "$out3" "$during" "$after"'

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
sleep 4
curl -sS --max-time 5 -D "$during.headers" "http://127.0.0.1:$port/metrics" >"$during" || status=1
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
  # Decoded (libvpx, libopus), from the final report: the other bot's 30
  # frames and 50 packets a second for several seconds.
  local final video audio
  final=$(sed -n '/^final /,$p' "$file")
  video=$(echo "$final" | grep -c 'kind=video .* decoded=[1-9][0-9][0-9]* size=320x240 decode_errors=0$' || true)
  audio=$(echo "$final" | grep -c 'kind=audio .* decoded=[1-9][0-9][0-9]* level=-1[0-9]dBFS decode_errors=0$' || true)
  if [ "$video" -ne 1 ] || [ "$audio" -ne 1 ]; then
    echo "FAIL: $name: did not decode the other bot's 320x240 video and -15 dBFS tone (100+ each, no errors)" >&2
    return 1
  fi
  echo "$name decodes the other bot's video and audio"
}
check bot1 "$out1" || status=1
check bot2 "$out2" || status=1

# The sum of a family's samples over the workers (and any other labels
# matched by the extra pattern, e.g. 'reason="unrouted_datagram"').
metric() {
  grep -E "^$1(\{[^}]*\})? " "$3" | grep -F -- "${2:-}" | awk '{ s += $NF } END { printf "%.6g", s }'
}
expect() {  # FILE NAME OP VALUE [LABEL]: one check (OP: == >= > <), printed
  local file=$1 name=$2 op=$3 want=$4 got
  got=$(metric "$name" "${5:-}" "$file")
  if awk -v g="$got" -v w="$want" -v op="$op" 'BEGIN {
       exit !((op == "==" && g == w) || (op == ">=" && g >= w) || (op == ">" && g > w) || (op == "<" && g < w)) }'; then
    echo "metrics $name${5:+ $5} = $got ($op $want)"
  else
    echo "FAIL: /metrics $name${5:+ $5} = $got, want $op $want" >&2; return 1
  fi
}
sleep 1  # the leaves reach the workers
curl -sS --max-time 5 "http://127.0.0.1:$port/metrics" >"$after" || status=1
echo "--- /metrics during the call: $(wc -l <"$during") lines"
grep -qi '^content-type: text/plain; version=0.0.4' "$during.headers" || { echo "FAIL: /metrics content type" >&2; status=1; }
rm -f "$during.headers"
expect "$during" aegis_participants '==' 2 || status=1
expect "$during" aegis_rooms '==' 1 || status=1
expect "$during" aegis_signaling_sessions '>=' 2 || status=1
expect "$during" aegis_worker_up '==' "$(metric aegis_media_workers "" "$during")" || status=1
echo "--- /metrics after the call"
grep -E '^aegis_(participants|joins_total|rtp_packets_(received|forwarded)_total|udp_|worker_busy|rtcp_packets)' "$after"
expect "$after" aegis_participants '==' 0 || status=1
expect "$after" aegis_joins_total '==' 2 || status=1
expect "$after" aegis_leaves_total '==' 2 || status=1
expect "$after" aegis_rtp_packets_received_total '>' 100 || status=1
expect "$after" aegis_rtp_packets_forwarded_total '>' 100 || status=1
expect "$after" aegis_rtcp_packets_sent_total '>' 0 || status=1  # receiver reports (the bots send no RTCP)
expect "$after" aegis_udp_datagrams_received_total '>' 100 || status=1
expect "$after" aegis_udp_datagrams_sent_total '>' 100 || status=1
expect "$after" aegis_udp_received_bytes_total '>' 10000 || status=1
expect "$after" aegis_udp_sent_bytes_total '>' 10000 || status=1
expect "$after" aegis_dropped_total '==' 0 'reason="rtp_spoofed_ssrc"' || status=1
expect "$after" aegis_worker_busy_seconds_total '>' 0 || status=1
grep -q '^aegis_build_info{version="[^"]*"} 1$' "$after" || { echo "FAIL: no aegis_build_info" >&2; status=1; }

e2ee_status=0
"$bot" --url "$url" --room E --token "$t3" --seconds 5 >"$out3" 2>&1 || e2ee_status=$?
cat "$out3"
if [ "$e2ee_status" -ne 1 ] || ! grep -q 'refused: e2ee_required: ' "$out3"; then
  echo "FAIL: the E2EE-required room did not refuse the bot clearly (exit $e2ee_status)" >&2; status=1
fi
finish "$status"

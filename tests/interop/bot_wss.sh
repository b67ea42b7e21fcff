#!/usr/bin/env bash
# aegis-bot over wss://: `aegis serve --tls` with its self-signed certificate;
# a bot pinned to the certificate's SHA-256 fingerprint (as the server prints
# it) joins room W and its publisher connection sends media; a bot with a
# wrong fingerprint, and one without a pin (the self-signed certificate
# chains to no CA), are refused before anything is sent (exit 1).
# Meant to run inside run_in_netns.sh:
#   run_in_netns.sh bot_wss.sh AEGIS_BINARY AEGIS_BOT_BINARY
set -euo pipefail
source "$(dirname "$0")/server_harness.sh"
harness_init bot_wss "${1:-}"
bot=$(realpath "${2:?usage: bot_wss.sh AEGIS_BINARY AEGIS_BOT_BINARY}")
port=18464
out=$(mktemp)
harness_atexit 'rm -f "$out"'

start_server "$port" --tls --media-port 41490 --media-workers 1
fp=$(sed -n 's/^  tls .*SHA-256 \([0-9A-F:]*\)$/\1/p' "$log")
[ -n "$fp" ] || { echo "FAIL: no certificate fingerprint in the server's banner" >&2; finish 1; }
token=$(mint W bot Bot 10m)
url="wss://127.0.0.1:$port/ws"
status=0

"$bot" --url "$url" --tls-fingerprint "$fp" --room W --token "$token" --seconds 4 >"$out" 2>&1 || {
  echo "FAIL: the pinned bot exited $?" >&2; status=1; }
cat "$out"
grep -q '^joined room W as ' "$out" || { echo "FAIL: the pinned bot did not join" >&2; status=1; }
sent=$(sed -n 's/^final .* sent=\([0-9]*\) .*/\1/p' "$out")
[ "${sent:-0}" -gt 100 ] || { echo "FAIL: the pinned bot sent ${sent:-0} packets (need > 100)" >&2; status=1; }

wrong=$(sed 's/^../00/' <<<"$fp")
[ "$wrong" != "$fp" ] || wrong=$(sed 's/^../11/' <<<"$fp")
rc=0
"$bot" --url "$url" --tls-fingerprint "$wrong" --room W --token "$token" --seconds 2 >"$out" 2>&1 || rc=$?
cat "$out"
if [ "$rc" -ne 1 ] || ! grep -q "the server's certificate is SHA-256 $fp, not the --tls-fingerprint given" "$out"; then
  echo "FAIL: a wrong pin was not refused clearly (exit $rc)" >&2; status=1
fi
rc=0
"$bot" --url "$url" --room W --token "$token" --seconds 2 >"$out" 2>&1 || rc=$?
cat "$out"
if [ "$rc" -ne 1 ] || ! grep -q 'cannot connect to' "$out"; then
  echo "FAIL: an unpinned self-signed certificate was accepted (exit $rc)" >&2; status=1
fi
finish "$status"

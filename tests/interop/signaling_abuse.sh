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
aegis=${1:?usage: signaling_abuse.sh AEGIS_BINARY}
aegis=$(realpath "$aegis")
[ -x "$aegis" ] || { echo "signaling_abuse: no aegis binary at $aegis" >&2; exit 1; }
here="$(cd "$(dirname "$0")" && pwd)"
repo_root="$(cd "$here/../.." && pwd)"
python=${PYTHON:-/usr/bin/python3}
port=18443

data=$(mktemp -d)
log=$(mktemp)
server=""
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -rf "$data" "$log"
}
trap cleanup EXIT

mint() {  # mint ROOM IDENTITY NAME [--no-publish]: prints a 10-minute token
  "$aegis" token create --data "$data" --room "$1" --identity "$2" --name "$3" --ttl 10m "${@:4}" 2>>"$log" || {
    echo "signaling_abuse: aegis token create failed:" >&2; cat "$log" >&2; return 1;
  }
}
AEGIS_TOKEN_A_PUB=$(mint A pub Publisher)
AEGIS_TOKEN_A_SUB=$(mint A sub Subscriber)
AEGIS_TOKEN_A_NOPUB=$(mint A nopub NoPublish --no-publish)
AEGIS_TOKEN_A_SPARE=$(mint A spare Spare)
AEGIS_TOKEN_B=$(mint B intruder Intruder)
AEGIS_TOKEN_C=$(mint C burst Burst)
export AEGIS_TOKEN_A_PUB AEGIS_TOKEN_A_SUB AEGIS_TOKEN_A_NOPUB AEGIS_TOKEN_A_SPARE AEGIS_TOKEN_B AEGIS_TOKEN_C

cd "$repo_root"
"$aegis" serve --listen "127.0.0.1:$port" --data "$data" --media-port 41000 --token-leeway 0 >>"$log" 2>&1 &
server=$!
for _ in $(seq 100); do
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
  kill -0 "$server" 2>/dev/null || { echo "signaling_abuse: aegis serve exited:" >&2; cat "$log" >&2; exit 1; }
  sleep 0.1
done
(exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || {
  echo "signaling_abuse: aegis serve is not listening on port $port after 10 s" >&2; cat "$log" >&2; exit 1;
}

status=0
"$python" "$here/signaling_abuse.py" "$port" || status=$?
if ! kill -0 "$server" 2>/dev/null; then
  echo "FAIL: aegis serve is no longer running" >&2
  status=1
fi
echo "--- aegis serve log (last 100 lines)"
tail -n 100 "$log"
exit $status

#!/usr/bin/env bash
# Group-call test of the server and the browser app: starts `aegis serve` on
# a fresh data folder, mints the tokens the test needs, runs
# chromium_group_call.mjs against it, then stops the server. Meant to run
# inside run_in_netns.sh:
#   run_in_netns.sh group_call.sh AEGIS_BINARY
# Exits with the test's status (non-zero also when the server cannot start
# or dies during the test). Set NODE to pick the node binary.
set -euo pipefail
aegis=${1:?usage: group_call.sh AEGIS_BINARY}
aegis=$(realpath "$aegis")
[ -x "$aegis" ] || { echo "group_call: no aegis binary at $aegis" >&2; exit 1; }
here="$(cd "$(dirname "$0")" && pwd)"
repo_root="$(cd "$here/../.." && pwd)"
node=${NODE:-node}
port=18443

data=$(mktemp -d)
log=$(mktemp)
server=""
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -rf "$data" "$log"
}
trap cleanup EXIT

mint() {  # mint ROOM IDENTITY NAME TTL: prints the token
  "$aegis" token create --data "$data" --room "$1" --identity "$2" --name "$3" --ttl "$4" 2>>"$log" || {
    echo "group_call: aegis token create failed:" >&2; cat "$log" >&2; return 1;
  }
}

# The expired token first: by the time the others are minted and the server
# is up it is close to expiry; the test waits out the rest (exp + 1 s, as the
# server runs with --token-leeway 0).
AEGIS_TOKEN_EXPIRED=$(mint A late Late 1s)
AEGIS_TOKEN_A1=$(mint A a1 A1 10m)
AEGIS_TOKEN_A2=$(mint A a2 A2 10m)
AEGIS_TOKEN_A3=$(mint A a3 A3 10m)
AEGIS_TOKEN_B1=$(mint B b1 B1 10m)
AEGIS_TOKEN_TO_FORGE=$(mint A forger Forger 10m)
AEGIS_TOKEN_ROOM_B=$(mint B intruder Intruder 10m)
export AEGIS_TOKEN_EXPIRED AEGIS_TOKEN_A1 AEGIS_TOKEN_A2 AEGIS_TOKEN_A3 AEGIS_TOKEN_B1 \
       AEGIS_TOKEN_TO_FORGE AEGIS_TOKEN_ROOM_B

# From the repository root, where web/ (the app it serves) lives.
cd "$repo_root"
"$aegis" serve --listen "127.0.0.1:$port" --data "$data" --media-port 41000 --token-leeway 0 >>"$log" 2>&1 &
server=$!
for _ in $(seq 100); do
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
  kill -0 "$server" 2>/dev/null || { echo "group_call: aegis serve exited:" >&2; cat "$log" >&2; exit 1; }
  sleep 0.1
done
(exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || {
  echo "group_call: aegis serve is not listening on port $port after 10 s" >&2; cat "$log" >&2; exit 1;
}

status=0
"$node" "$here/chromium_group_call.mjs" "http://127.0.0.1:$port" || status=$?
if ! kill -0 "$server" 2>/dev/null; then
  echo "FAIL: aegis serve is no longer running" >&2
  status=1
fi
echo "--- aegis serve log (last 200 lines)"
tail -n 200 "$log"
exit $status

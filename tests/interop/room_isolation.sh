#!/usr/bin/env bash
# Rooms are isolated (issue 9 item 5): starts `aegis serve` with its default
# number of media workers (one per core), checks the banner says so, mints
# the tokens and runs room_isolation.py (a call in room A keeps its frame
# rate while room X is flooded with track churn, MLS messages relayed in an
# E2EE group and signaling at the rate limits). Meant to run inside
# run_in_netns.sh:
#   run_in_netns.sh room_isolation.sh AEGIS_BINARY
# Exits non-zero if a check fails, or the server cannot start or dies.
set -euo pipefail
source "$(dirname "$0")/server_harness.sh"
harness_init room_isolation "${1:-}"
python=${PYTHON:-/usr/bin/python3}
node=${NODE:-node}
port=18600

AEGIS_TOKEN_A_PUB=$(mint A pub Publisher 10m)
AEGIS_TOKEN_A_SUB=$(mint A sub Subscriber 10m)
AEGIS_TOKENS_X=""
for i in $(seq 1 16); do AEGIS_TOKENS_X+="$(mint X "flood$i" "Flood $i" 10m) "; done
# KeyPackages for the four E2EE flood participants (room_isolation.py's
# roles: flood7..flood10), with the credential their tokens name.
AEGIS_KEY_PACKAGES_X=""
for i in $(seq 7 10); do
  "$node" "$here/make_key_package.mjs" "$data/kp$i" "flood$i" "Flood $i" >/dev/null || {
    echo "room_isolation: make_key_package.mjs failed" >&2; exit 1;
  }
  AEGIS_KEY_PACKAGES_X+="$data/kp$i:"
done
export AEGIS_TOKEN_A_PUB AEGIS_TOKEN_A_SUB AEGIS_TOKENS_X AEGIS_KEY_PACKAGES_X

start_server "$port" --media-port 41000 --token-leeway 0
for _ in $(seq 50); do grep -q '^  tokens' "$log" && break; sleep 0.1; done
workers=$(grep -c '^  media     udp' "$log" || true)
cores=$(nproc)
status=0
if [ "$workers" -ne "$cores" ]; then
  echo "FAIL default media workers: the banner lists $workers, the machine has $cores cores"
  status=1
else
  echo "ok   default media workers: one per core ($workers)"
fi
"$python" "$here/room_isolation.py" "$port" "$workers" "$cores" || status=$?
finish "$status"

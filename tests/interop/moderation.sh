#!/usr/bin/env bash
# Token lifecycle and moderation against the running server (moderation.py):
# starts `aegis serve` on a fresh data folder with a lobby room, mints the
# tokens (room admins with --admin), runs the checks, then verifies the
# audit log recorded them. Meant to run inside run_in_netns.sh:
#   run_in_netns.sh moderation.sh AEGIS_BINARY
set -euo pipefail
source "$(dirname "$0")/server_harness.sh"
harness_init moderation "${1:-}"
python=${PYTHON:-/usr/bin/python3}
port=18447

"$aegis" room policy --data "$data" --room L --lobby on >>"$log" 2>&1
export AEGIS_BIN="$aegis" AEGIS_DATA="$data"
start_server "$port" --media-port 41300 --token-leeway 0
status=0
"$python" "$here/moderation.py" "$port" || status=$?
# The audit chain is intact and holds what the test did.
if ! "$aegis" audit verify --data "$data"; then echo "FAIL: aegis audit verify" >&2; status=1; fi
tail_out=$("$aegis" audit tail --data "$data" -n 200)
for action in token.create token.revoke room.policy participant.join participant.leave participant.kick \
              participant.mute room.lock lobby.admit lobby.deny room.end; do
  if ! grep -q " $action " <<<"$tail_out"; then echo "FAIL: no $action in the audit log" >&2; status=1; fi
done
echo "moderation: audit log has every action"
finish "$status"

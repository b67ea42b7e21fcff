#!/bin/sh
# Runs the real `aegis room policy` in a fresh temporary data folder.
# Usage: room_cli_test.sh /path/to/aegis
set -eu
aegis=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { echo "room_cli_test: $*" >&2; exit 1; }

out=$("$aegis" room policy --data "$dir/d" --room standup)
[ "$out" = "room standup: e2ee optional, max participants 64, lobby off, relay-only off" ] || fail "default policy: $out"
out=$("$aegis" room policy --data "$dir/d" --room standup --e2ee required)
[ "$out" = "room standup: e2ee required, max participants 64, lobby off, relay-only off" ] || fail "set e2ee: $out"
out=$("$aegis" room policy --data "$dir/d" --room standup --max-participants 5)
[ "$out" = "room standup: e2ee required, max participants 5, lobby off, relay-only off" ] || fail "set max, e2ee kept: $out"
out=$("$aegis" room policy --data "$dir/d" --room other)
[ "$out" = "room other: e2ee optional, max participants 64, lobby off, relay-only off" ] || fail "rooms are separate: $out"
out=$("$aegis" room policy --data "$dir/d" --room standup --lobby on)
[ "$out" = "room standup: e2ee required, max participants 5, lobby on, relay-only off" ] || fail "set lobby: $out"
out=$("$aegis" room policy --data "$dir/d" --room standup --relay-only on)
[ "$out" = "room standup: e2ee required, max participants 5, lobby on, relay-only on" ] || fail "set relay-only: $out"
"$aegis" room policy --help >/dev/null || fail "room policy --help"
for bad in "--room" "--room a/b" "--room r --e2ee maybe" "--room r --max-participants 0" "--room r --bogus 1" \
           "--room r --lobby maybe" "--room r --relay-only yes"; do
  set +e
  # shellcheck disable=SC2086
  "$aegis" room policy --data "$dir/d" $bad >/dev/null 2>&1
  code=$?
  set -e
  [ "$code" -eq 2 ] || fail "exit $code (want 2) for: $bad"
done
echo "room_cli_test: ok"

#!/bin/sh
# Runs the real `aegis token create` in a fresh temporary data folder.
# Usage: token_cli_test.sh /path/to/aegis
set -eu
aegis=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { echo "token_cli_test: $*" >&2; exit 1; }

out=$("$aegis" token create --room standup --identity ada --ttl 10m --data "$dir/data" 2>"$dir/err") ||
  fail "exit code $? (stderr: $(cat "$dir/err"))"
[ "$(printf '%s\n' "$out" | wc -l)" -eq 1 ] || fail "expected one line on stdout, got: $out"
printf '%s\n' "$out" | grep -Eqx '[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+' ||
  fail "not three base64url segments: $out"
[ "$(stat -c %a "$dir/data")" = 700 ] || fail "data folder mode $(stat -c %a "$dir/data")"
[ "$(stat -c %a "$dir/data/aegis.db")" = 600 ] || fail "aegis.db mode $(stat -c %a "$dir/data/aegis.db")"

# A second token from the same folder differs (fresh jti) and says nothing on stderr.
out2=$("$aegis" token create --room standup --identity ada --no-publish --data "$dir/data" 2>"$dir/err2")
[ "$out2" != "$out" ] || fail "two tokens are identical"
[ ! -s "$dir/err2" ] || fail "unexpected stderr on second run: $(cat "$dir/err2")"

expect_exit() {
  want=$1
  shift
  set +e
  "$aegis" "$@" >"$dir/out" 2>"$dir/err"
  got=$?
  set -e
  [ "$got" -eq "$want" ] || fail "exit $got (want $want) for: $*"
  [ ! -s "$dir/out" ] || fail "stdout not empty for: $*"
  [ -s "$dir/err" ] || fail "no error message for: $*"
}
expect_exit 2 token create --room 'bad room' --identity ada --data "$dir/data"
expect_exit 2 token create --room standup --identity ada --ttl 25h --data "$dir/data"
expect_exit 2 token create --room standup --identity ada --ttl 10 --data "$dir/data"
expect_exit 2 token create --identity ada --data "$dir/data"
expect_exit 2 token create --room standup --identity ada --bogus --data "$dir/data"
expect_exit 2 token create --room "a/b" --identity ada --data "$dir/never"
# (the bad arguments above never created a folder)
[ ! -e "$dir/never" ] || fail "a refused command created a data folder"
mkdir -m 777 "$dir/open"
chmod 777 "$dir/open"
expect_exit 1 token create --room standup --identity ada --data "$dir/open"

# Revocation: stored, audited, and refused without a room or with both selectors.
out=$("$aegis" token revoke --room standup --identity ada --data "$dir/data") || fail "revoke exit $?"
printf '%s\n' "$out" | grep -q "every token of identity ada" || fail "revoke said: $out"
"$aegis" token revoke --room standup --jti abc123 --data "$dir/data" >/dev/null || fail "revoke --jti failed"
"$aegis" audit tail --data "$dir/data" -n 2 | grep -q "token.revoke.*room=standup jti=abc123" ||
  fail "no audit row for the revocation"
expect_exit 2 token revoke --identity ada --data "$dir/data"
expect_exit 2 token revoke --room standup --identity ada --jti x --data "$dir/data"
expect_exit 2 token revoke --room standup --data "$dir/data"
expect_exit 2 token revoke --room 'bad room' --identity ada --data "$dir/data"

for args in "token --help" "token create --help" "token revoke --help" "--help"; do
  # shellcheck disable=SC2086
  "$aegis" $args >/dev/null || fail "aegis $args exited $?"
done
"$aegis" token --version | grep -q "aegis token" || fail "aegis token --version"
"$aegis" version >/dev/null || fail "aegis version failed"
"$aegis" --version >/dev/null || fail "aegis --version failed"
echo "token_cli_test: ok"

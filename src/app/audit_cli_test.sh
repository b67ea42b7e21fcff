#!/bin/sh
# Runs the real `aegis audit verify` and `aegis audit tail` in a fresh
# temporary data folder, and tampers with the audit log the way an attacker
# with write access to aegis.db would: with the sqlite3 command-line tool,
# dropping the append-only triggers, editing or deleting rows, and putting
# the triggers back.
# Usage: audit_cli_test.sh /path/to/aegis
set -eu
aegis=$1
dir=$(mktemp -d)
follow_pid=
cleanup() {
  [ -n "$follow_pid" ] && kill "$follow_pid" 2>/dev/null
  rm -rf "$dir"
}
trap cleanup EXIT
fail() { echo "audit_cli_test: $*" >&2; exit 1; }
command -v sqlite3 >/dev/null || fail "needs the sqlite3 tool (scripts/setup.sh installs it)"

data="$dir/data"
db="$data/aegis.db"
# Four audited actions: two token mints, two policy changes.
"$aegis" token create --data "$data" --room standup --identity ada >/dev/null 2>&1
"$aegis" token create --data "$data" --room standup --identity bob >/dev/null
"$aegis" room policy --data "$data" --room standup --e2ee required >/dev/null
"$aegis" room policy --data "$data" --room standup --max-participants 5 >/dev/null

# run WANT_EXIT ARGS...: runs aegis, keeps stdout in $dir/out, stderr in $dir/err.
run() {
  want=$1
  shift
  set +e
  "$aegis" "$@" >"$dir/out" 2>"$dir/err"
  got=$?
  set -e
  [ "$got" -eq "$want" ] || fail "exit $got (want $want) for: $* (stdout: $(cat "$dir/out"); stderr: $(cat "$dir/err"))"
}
hex64='[0-9a-f]\{64\}'

# --- an intact log verifies, and says its head -------------------------------
run 0 audit verify --data "$data"
grep -q "^aegis audit verify: ok: 4 rows; head 4:$hex64\$" "$dir/out" || fail "verify ok line: $(cat "$dir/out")"
head4=$(sed -n "s/.*head \(4:$hex64\).*/\1/p" "$dir/out")
[ -n "$head4" ] || fail "no head in: $(cat "$dir/out")"
run 0 audit verify --data "$data" --expect-head "$head4"
run 0 audit verify --data "$data" --expect-head "${head4#4:}"

# --- tail prints the recent events, one per line -----------------------------
run 0 audit tail --data "$data" -n 2
[ "$(wc -l <"$dir/out")" -eq 2 ] || fail "tail -n 2 printed: $(cat "$dir/out")"
line1=$(sed -n 1p "$dir/out")
line2=$(sed -n 2p "$dir/out")
printf '%s\n' "$line1" |
  grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z #3 cli room\.policy room standup: e2ee required, max participants 64, lobby off, relay-only off\\n$' ||
  fail "tail line 1: $line1"
printf '%s\n' "$line2" | grep -Eq 'Z #4 cli room\.policy room standup: e2ee required, max participants 5, lobby off, relay-only off\\n$' ||
  fail "tail line 2: $line2"
run 0 audit tail --data "$data"
[ "$(wc -l <"$dir/out")" -eq 4 ] || fail "tail printed: $(cat "$dir/out")"
grep -q 'Z #1 cli token\.create key=ak_[0-9a-f]* room=standup identity=ada ttl=600s jti=' "$dir/out" ||
  fail "tail has no first mint: $(cat "$dir/out")"

# --- tail --follow prints new events until SIGINT ----------------------------
"$aegis" audit tail --data "$data" -n 1 --follow >"$dir/follow" 2>"$dir/follow.err" &
follow_pid=$!
# The new event only after tail has printed the current last one (a slow
# start, e.g. under ASan, would otherwise show the new event as the last).
i=0
until [ -s "$dir/follow" ]; do
  i=$((i + 1))
  [ "$i" -le 100 ] || fail "tail --follow printed nothing: $(cat "$dir/follow.err")"
  sleep 0.1
done
"$aegis" token create --data "$data" --room standup --identity cy >/dev/null
i=0
until grep -q 'identity=cy' "$dir/follow"; do
  i=$((i + 1))
  [ "$i" -le 100 ] || fail "tail --follow did not print the new event: $(cat "$dir/follow" "$dir/follow.err")"
  sleep 0.1
done
kill -INT "$follow_pid"
set +e
wait "$follow_pid"
code=$?
set -e
follow_pid=
[ "$code" -eq 0 ] || fail "tail --follow exit $code after SIGINT (stderr: $(cat "$dir/follow.err"))"
[ "$(wc -l <"$dir/follow")" -eq 2 ] || fail "tail -n 1 --follow printed: $(cat "$dir/follow")"
run 0 audit verify --data "$data"
grep -q "ok: 5 rows; head 5:" "$dir/out" || fail "verify after follow: $(cat "$dir/out")"
head5=$(sed -n "s/.*head \(5:$hex64\).*/\1/p" "$dir/out")

# --- an attacker edits row 2 with sqlite3, bypassing the triggers ------------
cp "$db" "$dir/pristine.db"
tamper() {  # tamper DB SQL: runs SQL with the append-only triggers removed
  triggers=$(sqlite3 "$1" "SELECT sql || ';' FROM sqlite_master WHERE type = 'trigger' AND name IN
    ('audit_log_no_update', 'audit_log_no_delete')")
  [ -n "$triggers" ] || fail "no triggers on audit_log in $1"
  sqlite3 "$1" "DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete; $2; $triggers"
  # The attacker put the triggers back: the log still looks append-only.
  sqlite3 "$1" "UPDATE audit_log SET actor = 'x'" 2>/dev/null && fail "triggers not restored in $1"
  return 0
}
tamper "$db" "UPDATE audit_log SET detail = replace(detail, 'identity=bob', 'identity=eve') WHERE seq = 2"
[ "$(sqlite3 "$db" "SELECT detail FROM audit_log WHERE seq = 2" | grep -c identity=eve)" -eq 1 ] ||
  fail "the edit did not take"
run 1 audit verify --data "$data"
grep -q '^aegis audit verify: row 2 (seq 2) was altered' "$dir/err" || fail "edited row not named: $(cat "$dir/err")"
[ ! -s "$dir/out" ] || fail "verify printed on stdout after a failure: $(cat "$dir/out")"
# tail still shows what is there (it reads; verify judges).
run 0 audit tail --data "$data" -n 5
grep -q 'identity=eve' "$dir/out" || fail "tail after edit: $(cat "$dir/out")"

# --- deleting a middle row is named ------------------------------------------
cp "$dir/pristine.db" "$db"
tamper "$db" "DELETE FROM audit_log WHERE seq = 3"
run 1 audit verify --data "$data"
grep -q '^aegis audit verify: row 3 (seq 4) was altered or a row before it was removed' "$dir/err" ||
  fail "deleted row not named: $(cat "$dir/err")"

# --- deleting the last row: the sequence counter, then the anchor ------------
cp "$dir/pristine.db" "$db"
tamper "$db" "DELETE FROM audit_log WHERE seq = 5"
run 1 audit verify --data "$data"
grep -q 'seq 5.*removed' "$dir/err" || fail "truncated tail not detected: $(cat "$dir/err")"
# A careful attacker also rewinds SQLite's sequence counter: only the anchor tells.
sqlite3 "$db" "UPDATE sqlite_sequence SET seq = 4 WHERE name = 'audit_log'"
run 0 audit verify --data "$data"
grep -q "ok: 4 rows; head $head4\$" "$dir/out" || fail "rewound log: $(cat "$dir/out")"
run 1 audit verify --data "$data" --expect-head "$head5"
grep -q 'seq 5 .*is missing' "$dir/err" || fail "anchor did not catch the truncation: $(cat "$dir/err")"
run 1 audit verify --data "$data" --expect-head "${head5#5:}"
grep -q 'not in the log' "$dir/err" || fail "bare anchor did not catch the truncation: $(cat "$dir/err")"
cp "$dir/pristine.db" "$db"
run 0 audit verify --data "$data" --expect-head "$head4"
grep -q 'anchor 4 found; 1 row appended since' "$dir/out" || fail "older anchor: $(cat "$dir/out")"

# --- help, version, usage errors, a missing folder ---------------------------
for args in "audit --help" "audit verify --help" "audit tail --help" "audit help"; do
  # shellcheck disable=SC2086
  run 0 $args
  grep -q 'usage: aegis audit' "$dir/out" || fail "no usage for: $args"
done
for args in "audit --version" "audit verify --version" "audit tail --version"; do
  # shellcheck disable=SC2086
  run 0 $args
  grep -q '^aegis ' "$dir/out" || fail "no version for: $args"
done
for args in "audit" "audit bogus" "audit verify --bogus" "audit tail -n 0" "audit tail -n x" "audit tail --data" \
  "audit verify --expect-head nothex"; do
  # shellcheck disable=SC2086
  run 2 $args --data "$data"
  [ -s "$dir/err" ] || fail "no message for: $args"
done
run 1 audit verify --data "$dir/none"
grep -q -- '--data' "$dir/err" || fail "missing folder message does not name --data: $(cat "$dir/err")"
[ ! -e "$dir/none" ] || fail "verify created a data folder"
run 1 audit tail --data "$dir/none"
[ ! -e "$dir/none" ] || fail "tail created a data folder"
echo "audit_cli_test: ok"

# Shared by the tests that run a real coturn (turn_relay.sh,
# tests/network/turn_tls_only.sh, tests/network/relay_only.sh). Source it, then:
#   coturn_config DIR TURN_ADDRESS MEDIA_ADDRESS [sed args...]
#                      a new shared secret in DIR/secret (0600) and
#                      DIR/turnserver.conf from packaging/coturn/
#                      turnserver.conf.example with its placeholders filled
#                      (realm aegis.test) and the extra sed edits applied
#   coturn_start DIR   checks no @PLACEHOLDER@ is left, starts turnserver with
#                      that config (its log in DIR/log, pid in $turn) and waits
#                      until it serves; fails with the log if it exits first
coturn_config() {
  local dir=$1 turn_address=$2 media_address=$3
  shift 3
  (umask 077 && head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$dir/secret")
  sed -e "s/@TURN_ADDRESS@/$turn_address/g" -e "s/@SHARED_SECRET@/$(cat "$dir/secret")/" \
      -e "s/@REALM@/aegis.test/" -e "s/@MEDIA_SERVER_ADDRESS@/$media_address/" "$@" \
      "$repo_root/packaging/coturn/turnserver.conf.example" >"$dir/turnserver.conf"
}

coturn_start() {
  local dir=$1
  grep -qE '@[A-Z_]+@' "$dir/turnserver.conf" && { echo "$harness_name: FAIL: a placeholder is left in the coturn config" >&2; exit 1; }
  turnserver -c "$dir/turnserver.conf" --verbose --log-file=stdout --simple-log --pidfile="$dir/pid" >"$dir/log" 2>&1 &
  turn=$!
  for _ in $(seq 50); do
    grep -q "Total General servers" "$dir/log" 2>/dev/null && return 0
    kill -0 "$turn" 2>/dev/null || { echo "$harness_name: FAIL: turnserver exited:" >&2; cat "$dir/log" >&2; exit 1; }
    sleep 0.1
  done
  echo "$harness_name: FAIL: turnserver is not serving after 5 s:" >&2
  cat "$dir/log" >&2
  exit 1
}

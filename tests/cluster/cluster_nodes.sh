#!/usr/bin/env bash
# cluster_nodes: several `aegis serve` nodes and one real redis-server, all
# on this machine's loopback (free ports, nothing else touched):
#   - a node refuses to start in multi-node mode without an ACL user, without
#     a password, with a wrong password, without TLS to a Redis off loopback,
#     or with Redis unreachable: exit 1 and the error naming the fix;
#   - two nodes register; `aegis cluster status` lists both with their
#     signaling URLs, and a bot in a room on node A shows as A's load;
#   - `aegis token revoke` on node B's data folder ends a session on node A
#     within 1 s, and node A refuses that token at join afterwards;
#   - node B killed (SIGKILL): gone from the list within the 5 s TTL;
#   - Redis killed: node A goes on serving (the bot's call continues, the web
#     app answers) and says it lost Redis; Redis back on the same port: A
#     registers again by itself;
#   - node A stopped (SIGTERM): its record is removed at once.
#   cluster_nodes.sh AEGIS AEGIS_BOT
set -euo pipefail

aegis=$1
bot=$2
tmp=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT

failed=0
check() {  # check DESCRIPTION COMMAND...
  local what=$1
  shift
  if "$@"; then echo "ok: $what"; else echo "FAIL: $what" >&2; failed=1; fi
}
free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
# wait_for SECONDS COMMAND...: polls every 0.1 s; true once COMMAND is.
wait_for() {
  local limit=$1
  shift
  local end=$((SECONDS + limit))
  while [ "$SECONDS" -le "$end" ]; do
    if "$@"; then return 0; fi
    sleep 0.1
  done
  return 1
}

command -v redis-server >/dev/null || { echo "FAIL: redis-server missing (scripts/setup.sh installs it)" >&2; exit 1; }

password=cluster-test-password-42
printf '%s\n' "$password" >"$tmp/redis.pw"
printf 'wrong-password-000000\n' >"$tmp/wrong.pw"
redis_port=$(free_port)
cat >"$tmp/redis.conf" <<CONF
bind 127.0.0.1
port $redis_port
save ""
appendonly no
dir $tmp
logfile $tmp/redis.log
user default off
user aegis on >$password ~aegis:* &* +@all -@admin -@dangerous
CONF
redis_pid=""
start_redis() {
  redis-server "$tmp/redis.conf" &
  redis_pid=$!
  pids+=("$redis_pid")
  wait_for 5 bash -c "exec 3<>/dev/tcp/127.0.0.1/$redis_port" 2>/dev/null
}
start_redis || { echo "FAIL: redis-server did not start" >&2; cat "$tmp/redis.log" >&2; exit 1; }
redis_url="redis://aegis@127.0.0.1:$redis_port"
status() { "$aegis" cluster status --redis "$redis_url" --redis-password-file "$tmp/redis.pw" --json; }
# nodes_are 'ID ID ': the live nodes are exactly these (a failed status never matches).
nodes_are() {
  local out
  out=$(status) || return 1
  [ "$(jq -r '.nodes[].id' <<<"$out" | tr '\n' ' ')" = "$1" ]
}

# --- refusals at start ----------------------------------------------------------
refused() {  # refused EXPECTED_TEXT ARGS...: serve exits 1 within 10 s, stderr has the text
  local expect=$1
  shift
  local rc=0
  timeout 10 "$aegis" serve --listen 127.0.0.1:0 --media-port 0 --media-workers 1 --data "$tmp/refused" "$@" \
    >"$tmp/refused.out" 2>"$tmp/refused.err" || rc=$?
  if [ "$rc" = 1 ] && grep -qF -- "$expect" "$tmp/refused.err"; then return 0; fi
  echo "  exit $rc, stderr: $(cat "$tmp/refused.err")" >&2
  return 1
}
check "no ACL user: refused" refused "needs an ACL user" --redis "redis://127.0.0.1:$redis_port" \
  --redis-password-file "$tmp/redis.pw"
check "no password: refused" refused "needs a password" --redis "$redis_url"
check "wrong password: refused" refused "refused user 'aegis'" --redis "$redis_url" --redis-password-file "$tmp/wrong.pw"
check "Redis off loopback without TLS: refused" refused "use rediss://" --redis "redis://aegis@192.0.2.7:6379" \
  --redis-password-file "$tmp/redis.pw"
dead_port=$(free_port)
check "Redis unreachable: refused" refused "cannot reach Redis at 127.0.0.1:$dead_port" \
  --redis "redis://aegis@127.0.0.1:$dead_port" --redis-password-file "$tmp/redis.pw"
check "a password in the URL: refused" refused "no password in the Redis URL" \
  --redis "redis://aegis:$password@127.0.0.1:$redis_port"

# --- two nodes ---------------------------------------------------------------
start_node() {  # start_node NAME: runs node NAME in the background, sets its pid and URL
  local name=$1
  "$aegis" serve --listen 127.0.0.1:0 --media-port 0 --media-workers 1 --data "$tmp/$name" \
    --redis "$redis_url" --redis-password-file "$tmp/redis.pw" --node-id "$name" >"$tmp/$name.log" 2>&1 &
  local pid=$!
  pids+=("$pid")
  eval "${name//-/_}_pid=$pid"
  if ! wait_for 10 grep -q '^  cluster ' "$tmp/$name.log"; then
    echo "FAIL: $name did not start" >&2
    cat "$tmp/$name.log" >&2
    exit 1
  fi
  eval "${name//-/_}_url=$(sed -n 's|^  open      \(.*\)/$|\1|p' "$tmp/$name.log")"
}
start_node node-a
start_node node-b
echo "node-a at $node_a_url, node-b at $node_b_url"
check "status lists node-a and node-b" wait_for 3 nodes_are 'node-a node-b '
status | jq . >"$tmp/status.json"
check "node-a's signaling URL is the one it serves" \
  test "$(jq -r '.nodes[] | select(.id == "node-a") | .signaling_url' "$tmp/status.json")" = "$node_a_url"
check "node-b's media address is 127.0.0.1" \
  test "$(jq -r '.nodes[] | select(.id == "node-b") | .media_addresses[0]' "$tmp/status.json")" = "127.0.0.1"
now_ms=$(($(date +%s%N) / 1000000))
check "both records are fresh (written within the last 3 s)" test "$(jq --argjson now "$now_ms" \
  '[.nodes[] | select($now - .updated_ms < 3000 and $now - .updated_ms > -1000)] | length' "$tmp/status.json")" = 2
"$aegis" cluster status --redis "$redis_url" --redis-password-file "$tmp/redis.pw"

# A bot in room R on node A: A's record carries its load.
token=$("$aegis" token create --data "$tmp/node-a" --room R --identity bot --ttl 5m)
"$bot" --url "${node_a_url/http/ws}/ws" --room R --token "$token" --seconds 14 >"$tmp/bot.log" 2>&1 &
bot_pid=$!
pids+=("$bot_pid")
a_load_is() {
  local out
  out=$(status) || return 1
  [ "$(jq -r '.nodes[] | select(.id == "node-a") | "\(.rooms) \(.participants)"' <<<"$out")" = "$1" ]
}
check "node-a reports 1 room, 1 participant" wait_for 5 a_load_is '1 1'

# --- a revocation issued through node B ends a session on node A -------------------
victim_token=$("$aegis" token create --data "$tmp/node-a" --room V --identity victim --ttl 5m)
"$bot" --url "${node_a_url/http/ws}/ws" --room V --token "$victim_token" --seconds 30 >"$tmp/victim.log" 2>&1 &
victim_pid=$!
pids+=("$victim_pid")
check "the victim bot is in a call on node-a" wait_for 5 grep -q '^stats t=' "$tmp/victim.log"
sleep 1.1  # revocations cover tokens issued at or before their second
"$aegis" token revoke --data "$tmp/node-b" --room V --identity victim
revoked_at=$(date +%s.%N)
if wait_for 5 bash -c "! kill -0 $victim_pid 2>/dev/null"; then
  took=$(awk -v a="$revoked_at" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
  echo "the victim's session on node-a ended ${took} s after the revocation on node-b"
  check "ended within 1 s" awk -v t="$took" 'BEGIN { exit !(t <= 1.0) }'
  check "the victim's bot lost its session" grep -Eq 'connection closed|refused' "$tmp/victim.log"
else
  check "the revocation on node-b ended the session on node-a" false
fi
tail -2 "$tmp/victim.log"
check "node-a stored it, with node-b named in its audit log" \
  bash -c "'$aegis' audit tail --data '$tmp/node-a' -n 5 | grep -q 'node:node-b'"
# The same token joined node-a before; stored there now, the revocation
# refuses it at join (the gate says only "unauthorized").
victim_rc=0
timeout 10 "$bot" --url "${node_a_url/http/ws}/ws" --room V --token "$victim_token" --seconds 2 \
  >"$tmp/victim2.log" 2>&1 || victim_rc=$?
check "the revoked token is refused at join on node-a" \
  bash -c "[ $victim_rc = 1 ] && grep -q 'refused: unauthorized' '$tmp/victim2.log'"

# Whatever writes to Redis writes only names that follow the token rules.
REDISCLI_AUTH=$password redis-cli -p "$redis_port" --user aegis --no-auth-warning \
  XADD aegis:revocations '*' origin evil room 'bad room!' identity victim time 1 >/dev/null
check "node-a drops a revocation with a malformed room" \
  wait_for 3 grep -q 'dropped a malformed revocation from node evil' "$tmp/node-a.log"

# --- a node dies -----------------------------------------------------------------
kill -KILL "$node_b_pid"
killed_at=$(date +%s.%N)
if wait_for 8 nodes_are 'node-a '; then
  gone=$(awk -v a="$killed_at" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
  echo "node-b gone from the list ${gone} s after SIGKILL"
  check "node-b gone within 6 s (TTL 5 s)" awk -v t="$gone" 'BEGIN { exit !(t <= 6.0) }'
else
  check "node-b gone from the list after SIGKILL" false
fi

# --- Redis lost and back -----------------------------------------------------------
kill -KILL "$redis_pid"
wait "$redis_pid" 2>/dev/null || true
check "node-a says it lost Redis" wait_for 5 grep -q 'aegis: cluster: lost Redis' "$tmp/node-a.log"
check "node-a still serves the app without Redis" \
  bash -c "curl -fsS -o /dev/null '$node_a_url/'"
start_redis || { echo "FAIL: redis-server did not start again" >&2; exit 1; }
check "node-a registers again once Redis is back" wait_for 5 grep -q 'aegis: cluster: Redis back' "$tmp/node-a.log"
check "status lists node-a again" wait_for 3 nodes_are 'node-a '
bot_rc=0
wait "$bot_pid" || bot_rc=$?
check "the bot's call on node-a went on through the Redis outage (exit 0)" test "$bot_rc" = 0
tail -4 "$tmp/bot.log"
check "the bot was joined to the end" grep -q 'stats t=1[0-9]' "$tmp/bot.log"

# --- a clean stop ------------------------------------------------------------------
kill -TERM "$node_a_pid"
check "node-a's record removed on SIGTERM" wait_for 2 nodes_are ''
wait "$node_a_pid" 2>/dev/null || true

exit "$failed"

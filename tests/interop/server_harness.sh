# Shared by the interop runners that start `aegis serve` for one test.
# Source it, then:
#   harness_init NAME AEGIS_BINARY   checks the binary; sets $aegis, $here, $repo_root,
#                                    a fresh $data folder and $log; cleans up on exit
#   harness_atexit 'COMMAND'         runs COMMAND on exit, before the server is stopped
#   mint ROOM IDENTITY NAME TTL [token create flags...]   prints a token
#   start_server PORT [serve flags...]   starts the server from the repository
#                                    root (it serves web/ from there), waits until it
#                                    listens; sets $server
#   wait_listening PORT PID [HOST]   waits until HOST:PORT (default 127.0.0.1) accepts
#                                    (10 s), failing with the log if PID exits first
#   finish STATUS                    fails if the server died, prints its log, exits
# Traffic stays in the namespace run_in_netns.sh created.

harness_init() {
  harness_name=$1
  aegis=$(realpath "${2:?usage: $harness_name AEGIS_BINARY}")
  [ -x "$aegis" ] || { echo "$harness_name: no aegis binary at $aegis" >&2; exit 1; }
  here="$(cd "$(dirname "${BASH_SOURCE[1]}")" && pwd)"
  repo_root="$(cd "$here/../.." && pwd)"
  data=$(mktemp -d)
  log=$(mktemp)
  server=""
  harness_extra_cleanup=""
  trap harness_cleanup EXIT
}

harness_atexit() { harness_extra_cleanup=$1; }

harness_cleanup() {
  [ -n "$harness_extra_cleanup" ] && eval "$harness_extra_cleanup"
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -rf "$data" "$log"
}

mint() {
  "$aegis" token create --data "$data" --room "$1" --identity "$2" --name "$3" --ttl "$4" "${@:5}" 2>>"$log" || {
    echo "$harness_name: aegis token create failed:" >&2; cat "$log" >&2; return 1;
  }
}

start_server() {
  local port=$1
  shift
  (cd "$repo_root" && exec "$aegis" serve --listen "127.0.0.1:$port" --data "$data" "$@" >>"$log" 2>&1) &
  server=$!
  wait_listening "$port" "$server"
}

wait_listening() {
  local port=$1 pid=$2 host=${3:-127.0.0.1}
  for _ in $(seq 100); do
    (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null && return 0
    kill -0 "$pid" 2>/dev/null || { echo "$harness_name: aegis serve exited:" >&2; cat "$log" >&2; exit 1; }
    sleep 0.1
  done
  echo "$harness_name: aegis serve is not listening on $host:$port after 10 s" >&2
  cat "$log" >&2
  exit 1
}

finish() {
  local status=$1
  if ! kill -0 "$server" 2>/dev/null; then
    echo "FAIL: aegis serve is no longer running" >&2
    status=1
  fi
  echo "--- aegis serve log (last 200 lines)"
  tail -n 200 "$log"
  exit "$status"
}

#!/usr/bin/env bash
# Runs Janus 1.1.2 (Debian `janus`) with this folder's configuration inside a
# network namespace, for the capacity comparison of issue 11.
#
#   run_janus.sh start NETNS [--address IP] [--dir DIR] [--cpus LIST]
#       copies the configuration to DIR (default: a new /tmp/janus-bench.*),
#       starts Janus in NETNS bound to IP (default: the namespace's first
#       global IPv4 address), waits until POST /janus answers and prints DIR.
#   run_janus.sh stop DIR
#       stops that Janus (SIGTERM, then SIGKILL after 10 s) and keeps DIR
#       (janus.log is there).
#   run_janus.sh run NETNS [options] -- COMMAND...
#       start, run COMMAND, stop; exits with COMMAND's status.
#
# The namespace must exist and have a non-loopback address (a veth pair):
# Janus is never given 127.0.0.1.
set -euo pipefail

VERSION=1.0
here=$(cd "$(dirname "$0")" && pwd)

usage() { sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; }

die() { echo "run_janus: $*" >&2; exit 1; }

# POST /janus with a ping: Janus answers {"janus":"pong"} once the HTTP
# transport is listening and the core is up.
janus_answers() {
  local netns=$1 address=$2
  ip netns exec "$netns" curl -s -m 1 -X POST -H 'Content-Type: application/json' \
    -d '{"janus":"ping","transaction":"run_janus"}' "http://$address:8088/janus" 2>/dev/null |
    grep -q '"pong"'
}

start() {
  local netns="" address="" dir="" cpus=""
  netns=${1:-}; [ -n "$netns" ] || die "start: NETNS missing"; shift
  while [ $# -gt 0 ]; do
    case $1 in
      --address) address=$2; shift 2 ;;
      --dir) dir=$2; shift 2 ;;
      --cpus) cpus=$2; shift 2 ;;
      *) die "start: unknown option $1" ;;
    esac
  done
  command -v janus >/dev/null || die "janus is not installed (scripts/setup.sh installs it)"
  ip netns pids "$netns" >/dev/null 2>&1 || die "no network namespace $netns"
  if [ -z "$address" ]; then
    address=$(ip -n "$netns" -4 -o addr show scope global | awk '{ split($4, a, "/"); print a[1]; exit }')
    [ -n "$address" ] || die "namespace $netns has no global IPv4 address"
  fi
  case $address in 127.*) die "Janus will not use a loopback address ($address)" ;; esac
  [ -n "$dir" ] || dir=$(mktemp -d /tmp/janus-bench.XXXXXX)
  mkdir -p "$dir"
  for f in "$here"/*.jcfg; do
    sed -e "s|@CONFIGS_FOLDER@|$dir|g" -e "s|@LOG_FILE@|$dir/janus.log|g" \
        -e "s|@ICE_ADDRESS@|$address|g" "$f" >"$dir/$(basename "$f")"
  done
  : >"$dir/janus.log"  # Janus appends; a reused DIR starts a fresh log
  local pin=()
  [ -z "$cpus" ] || pin=(taskset -c "$cpus")
  # ip netns exec execs janus itself, so $! is Janus's pid.
  ip netns exec "$netns" "${pin[@]}" janus -C "$dir/janus.jcfg" -F "$dir" \
    </dev/null >"$dir/janus.stdout" 2>&1 &
  local pid=$!
  echo "$pid" >"$dir/janus.pid"
  echo "$netns $address" >"$dir/janus.where"
  for _ in $(seq 1 100); do
    if ! kill -0 "$pid" 2>/dev/null; then
      tail -n 20 "$dir/janus.log" "$dir/janus.stdout" >&2 || true
      die "Janus exited during start (logs in $dir)"
    fi
    if janus_answers "$netns" "$address"; then
      echo "$dir"
      return 0
    fi
    sleep 0.1
  done
  stop "$dir" >/dev/null 2>&1 || true
  die "Janus did not answer POST http://$address:8088/janus within 10 s (logs in $dir)"
}

stop() {
  local dir=${1:-}
  if [ -z "$dir" ] || [ ! -f "$dir/janus.pid" ]; then die "stop: DIR with janus.pid missing"; fi
  local pid
  pid=$(cat "$dir/janus.pid")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    for _ in $(seq 1 100); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
      echo "run_janus: Janus ($pid) did not stop in 10 s; SIGKILL" >&2
      kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  rm -f "$dir/janus.pid"
}

case ${1:-} in
  -h|--help|help) usage; exit 0 ;;
  --version)
    # janus --version prints its version and exits 1.
    jv=$( (janus --version 2>/dev/null || true) | sed -n 's/^Janus version: .*(\(.*\))$/\1/p')
    echo "run_janus.sh $VERSION (janus ${jv:-not installed})"; exit 0 ;;
  start) shift; start "$@" ;;
  stop) shift; stop "$@" ;;
  run)
    shift
    args=()
    while [ $# -gt 0 ] && [ "$1" != "--" ]; do args+=("$1"); shift; done
    [ "${1:-}" = "--" ] || die "run: -- COMMAND missing"
    shift
    [ $# -gt 0 ] || die "run: COMMAND missing"
    dir=$(start "${args[@]}")
    echo "run_janus: Janus logs in $dir" >&2
    trap 'stop "$dir"' EXIT
    status=0
    "$@" || status=$?
    exit "$status"
    ;;
  *) usage >&2; exit 2 ;;
esac

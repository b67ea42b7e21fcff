#!/usr/bin/env bash
# Starts aegis-echo, runs one interop client against it, then checks the
# server's own log. Meant to run inside run_in_netns.sh.
#   echo_interop.sh [--connected N] AEGIS_ECHO_BINARY EXPECTED_SRTP_PROFILE CLIENT_COMMAND [ARGS...]
# The client gets the HTTP port as its last argument. EXPECTED_SRTP_PROFILE
# "-" skips the profile check (for clients that never complete DTLS);
# --connected N requires exactly N sessions reported connected (so that a
# session the server should have refused is caught). Fails loudly if the
# server or the client cannot start.
set -euo pipefail
expected_connected=""
if [ "${1:-}" = "--connected" ]; then
  expected_connected=$2
  shift 2
fi
echo_bin=$1
expected_profile=$2
shift 2
[ -x "$echo_bin" ] || { echo "echo_interop: no aegis-echo at $echo_bin" >&2; exit 1; }
log=$(mktemp)
web_dir="$(cd "$(dirname "$0")" && pwd)/web"
"$echo_bin" --http-port 18080 --udp-port 41000 --web-dir "$web_dir" >"$log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 50); do
  grep -q "listening" "$log" && break
  kill -0 $server 2>/dev/null || { echo "echo_interop: aegis-echo exited:" >&2; cat "$log" >&2; exit 1; }
  sleep 0.1
done
grep -q "listening" "$log" || { echo "echo_interop: aegis-echo did not start" >&2; cat "$log" >&2; exit 1; }

status=0
"$@" 18080 || status=$?
kill -0 $server 2>/dev/null || { echo "FAIL: aegis-echo is no longer running" >&2; status=1; }
echo "--- aegis-echo log"
cat "$log"
if [ "$expected_profile" != "-" ] && ! grep -q "connected srtp=$expected_profile\$" "$log"; then
  echo "FAIL: the server did not report a connection with SRTP profile $expected_profile" >&2
  status=1
fi
if [ -n "$expected_connected" ]; then
  connected=$(grep -c " connected srtp=" "$log" || true)
  if [ "$connected" -ne "$expected_connected" ]; then
    echo "FAIL: the server reported $connected connected sessions, expected $expected_connected" >&2
    status=1
  fi
fi
exit $status

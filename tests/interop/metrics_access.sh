#!/usr/bin/env bash
# Who may read GET /metrics (docs/configuration.md, "Metrics"), on a real
# `aegis serve` listening on every address (HTTPS): a request from this
# machine's loopback gets the figures without credentials; one from another
# address (10.77.0.2, which exists only in this namespace) gets 403 while no
# metrics token is configured, and 401 with a Bearer challenge once one is,
# unless it names the token. A loopback request that a proxy forwarded
# (X-Forwarded-For) counts as from elsewhere. Refusals carry no figures. A
# token file that is too short stops the server from starting.
# Meant to run inside run_in_netns.sh:
#   run_in_netns.sh metrics_access.sh AEGIS_BINARY
set -euo pipefail
source "$(dirname "$0")/server_harness.sh"
harness_init metrics_access "${1:-}"
ip addr add 10.77.0.2/32 dev lo
port=18471
token_file=$(mktemp) body=$(mktemp) headers=$(mktemp)
harness_atexit 'rm -f "$token_file" "$body" "$headers"'
status=0

# GET HOST [curl flags...]: prints the status code; the body and headers
# land in $body and $headers.
get() {
  local host=$1
  shift
  curl -sS -k --max-time 5 -o "$body" -D "$headers" -w '%{http_code}' "$@" "https://$host:$port/metrics"
}
check() {  # NAME WANT_STATUS HOST [curl flags...]
  local name=$1 want=$2 got
  shift 2
  got=$(get "$@") || got="curl failed"
  if [ "$got" != "$want" ]; then
    echo "FAIL: $name: status $got, want $want" >&2; status=1; return
  fi
  if [ "$want" = 200 ]; then
    grep -q '^aegis_build_info{version="' "$body" || { echo "FAIL: $name: no figures" >&2; status=1; return; }
  elif grep -q 'aegis_' "$body"; then
    echo "FAIL: $name: a refusal carries figures" >&2; status=1; return
  fi
  echo "ok $name: $got ($(wc -c <"$body") bytes)"
}

start_server "$port" --listen "0.0.0.0:$port" --media-host 127.0.0.1 --media-port 41472 --media-workers 1
check "loopback, no token configured" 200 127.0.0.1
check "10.77.0.2, no token configured" 403 10.77.0.2
check "10.77.0.2 with a bearer token, none configured" 403 10.77.0.2 -H 'Authorization: Bearer 0123456789abcdef'
check "loopback through a proxy" 403 127.0.0.1 -H 'X-Forwarded-For: 198.51.100.7'
check "POST from loopback" 405 127.0.0.1 -X POST

kill "$server"; wait "$server" || true
printf 'too-short\n' >"$token_file"
if timeout 10 "$aegis" serve --listen "0.0.0.0:$port" --data "$data" --media-host 127.0.0.1 --media-port 41472 \
    --metrics-token-file "$token_file" >"$body" 2>&1; then
  echo "FAIL: a 9-character metrics token was accepted" >&2; status=1
elif grep -q 'metrics token file' "$body"; then
  echo "ok a short token file: $(head -n 1 "$body")"
else
  echo "FAIL: a short token file was refused without saying why: $(cat "$body")" >&2; status=1
fi

token=$(head -c 24 /dev/urandom | base64 | tr '+/' '-_')
printf '%s\n' "$token" >"$token_file"
start_server "$port" --listen "0.0.0.0:$port" --media-host 127.0.0.1 --media-port 41472 --media-workers 1 \
  --metrics-token-file "$token_file"
check "10.77.0.2 without the token" 401 10.77.0.2
grep -qi '^www-authenticate: Bearer' "$headers" || { echo "FAIL: 401 without a Bearer challenge" >&2; status=1; }
check "10.77.0.2 with a wrong token" 401 10.77.0.2 -H "Authorization: Bearer ${token}x"
check "10.77.0.2 with a token one character short" 401 10.77.0.2 -H "Authorization: Bearer ${token%?}"
check "10.77.0.2 with Basic credentials" 401 10.77.0.2 -H "Authorization: Basic $token"
check "10.77.0.2 with the token" 200 10.77.0.2 -H "Authorization: Bearer $token"
check "loopback without the token" 200 127.0.0.1
check "loopback through a proxy, without the token" 401 127.0.0.1 -H 'Forwarded: for=198.51.100.7'
check "loopback through a proxy, with the token" 200 127.0.0.1 -H 'X-Real-IP: 198.51.100.7' \
  -H "Authorization: Bearer $token"
finish "$status"

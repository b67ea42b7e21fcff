#!/usr/bin/env bash
# End-to-end encryption test with Chromium (chromium_e2ee.mjs). Starts two
# servers built with test hooks (aegis-test-server), serving a copy of web/
# plus the test-only page tests/interop/web_e2ee/:
#   1. port 18450: room E requires E2EE (`aegis room policy`), and the
#      server writes every RTP packet it receives from a publisher to a
#      capture file (--test-capture);
#   2. port 18451: the server announces a substitute KeyPackage (made here by
#      make_key_package.mjs for identity s2 with keys nobody keeps) in place
#      of the second joiner's own (--test-substitute-key-package).
# Meant to run inside run_in_netns.sh:
#   run_in_netns.sh e2ee_call.sh BUILD_DIR
# Needs BUILD_DIR/src/app/aegis-test-server, BUILD_DIR/src/app/aegis and
# BUILD_DIR/src/sframe/aegis-sframe (the test fails loudly on the checks
# that need a missing one). Set NODE to pick the node binary, AEGIS_SFRAME_CLI
# to use an aegis-sframe from elsewhere.
#
# For developing the browser side without the test server:
# AEGIS_E2EE_WITHOUT_TEST_SERVER=1 runs plain `aegis serve` without policy,
# capture or substitution; the checks that need them then FAIL as "not run",
# so the test still exits non-zero.
set -euo pipefail
build=${1:?usage: e2ee_call.sh BUILD_DIR}
build=$(realpath "$build")
here="$(cd "$(dirname "$0")" && pwd)"
repo_root="$(cd "$here/../.." && pwd)"
node=${NODE:-node}
aegis="$build/src/app/aegis"
test_server="$build/src/app/aegis-test-server"
sframe_cli="${AEGIS_SFRAME_CLI:-$build/src/sframe/aegis-sframe}"
without_hooks=${AEGIS_E2EE_WITHOUT_TEST_SERVER:-0}
port1=18450
port2=18451

[ -x "$aegis" ] || { echo "e2ee_call: FAIL: no aegis binary at $aegis" >&2; exit 1; }
if [ "$without_hooks" = 1 ]; then
  echo "e2ee_call: WARNING: AEGIS_E2EE_WITHOUT_TEST_SERVER=1: plain aegis serve; capture, policy and substitution checks will fail"
  test_server="$aegis"
else
  [ -x "$test_server" ] || { echo "e2ee_call: FAIL: no test server at $test_server (build the aegis-test-server target)" >&2; exit 1; }
fi
[ -x "$sframe_cli" ] || echo "e2ee_call: WARNING: no aegis-sframe at $sframe_cli; the checks that decrypt with it will FAIL" >&2

web=$(mktemp -d)
data1=$(mktemp -d)
data2=$(mktemp -d)
log1=$(mktemp)
log2=$(mktemp)
capture=$(mktemp)
substitute=$(mktemp)
servers=()
cleanup() {
  for pid in "${servers[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  rm -rf "$web" "$data1" "$data2" "$log1" "$log2" "$capture" "$substitute"
}
trap cleanup EXIT

# The app and SDK as they ship, and the test page next to them (the server
# serves files one folder deep at most, so the page sits at the top).
cp -R "$repo_root/web/." "$web/"
cp "$here/web_e2ee/e2ee_test.html" "$here/web_e2ee/e2ee_test.js" "$web/"

mint() {  # mint DATA ROOM IDENTITY NAME: prints a 10-minute token
  "$aegis" token create --data "$1" --room "$2" --identity "$3" --name "$4" --ttl 10m 2>>"$log1" || {
    echo "e2ee_call: aegis token create failed:" >&2; cat "$log1" >&2; return 1;
  }
}
AEGIS_TOKEN_E1=$(mint "$data1" E e1 E1)
AEGIS_TOKEN_E2=$(mint "$data1" E e2 E2)
AEGIS_TOKEN_E3=$(mint "$data1" E e3 E3)
AEGIS_TOKEN_E4=$(mint "$data1" E e4 E4)
AEGIS_TOKEN_PLAIN=$(mint "$data1" E plain Plain)
AEGIS_TOKEN_PLAIN_PAGE=$(mint "$data1" E plainpage PlainPage)
AEGIS_TOKEN_S1=$(mint "$data2" S s1 S1)
AEGIS_TOKEN_S2=$(mint "$data2" S s2 S2)
AEGIS_TOKEN_S3=$(mint "$data2" S s3 S3)
export AEGIS_TOKEN_E1 AEGIS_TOKEN_E2 AEGIS_TOKEN_E3 AEGIS_TOKEN_E4 AEGIS_TOKEN_PLAIN AEGIS_TOKEN_PLAIN_PAGE \
       AEGIS_TOKEN_S1 AEGIS_TOKEN_S2 AEGIS_TOKEN_S3

capture_args=()
subst_args=()
if [ "$without_hooks" != 1 ]; then
  "$aegis" room policy --data "$data1" --room E --e2ee required >>"$log1" 2>&1 || {
    echo "e2ee_call: FAIL: aegis room policy --room E --e2ee required failed:" >&2; cat "$log1" >&2; exit 1;
  }
  capture_args=(--test-capture "$capture")
  "$node" "$here/make_key_package.mjs" "$substitute" s2 S2 || { echo "e2ee_call: FAIL: make_key_package.mjs failed" >&2; exit 1; }
  subst_args=(--test-substitute-key-package "$substitute")
fi

start() {  # start LOG PORT ARGS...: starts a server, waits until it listens
  local log=$1 port=$2
  shift 2
  "$test_server" serve --listen "127.0.0.1:$port" --web "$web" --token-leeway 0 "$@" >>"$log" 2>&1 &
  local pid=$!
  servers+=("$pid")
  for _ in $(seq 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
    kill -0 "$pid" 2>/dev/null || { echo "e2ee_call: FAIL: server on port $port exited:" >&2; cat "$log" >&2; exit 1; }
    sleep 0.1
  done
  echo "e2ee_call: FAIL: server not listening on port $port after 10 s" >&2; cat "$log" >&2; exit 1
}
start "$log1" $port1 --data "$data1" --media-port 41100 "${capture_args[@]}"
start "$log2" $port2 --data "$data2" --media-port 41200 "${subst_args[@]}"

export AEGIS_E2EE_CAPTURE="$capture" AEGIS_SFRAME_CLI="$sframe_cli" AEGIS_E2EE_WITHOUT_TEST_SERVER="$without_hooks" \
       AEGIS_E2EE_SERVER_LOGS="$log1:$log2"
status=0
"$node" "$here/chromium_e2ee.mjs" "http://127.0.0.1:$port1" "http://127.0.0.1:$port2" || status=$?
for pid in "${servers[@]}"; do
  if ! kill -0 "$pid" 2>/dev/null; then echo "FAIL: a server (pid $pid) is no longer running" >&2; status=1; fi
done
echo "--- server 1 log (last 60 lines)"
tail -n 60 "$log1"
echo "--- server 2 log (last 30 lines)"
tail -n 30 "$log2"
echo "--- capture: $(wc -l <"$capture") packets"
exit $status

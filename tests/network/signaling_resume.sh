#!/usr/bin/env bash
# The signaling resume test (chromium_signaling_resume.mjs): starts `aegis
# serve`, mints three tokens for room S, and runs the test, whose TCP proxy
# (tcp_cut.mjs) on another port carries one page's signaling so it can be
# cut. Meant to run inside run_in_netns.sh:
#   run_in_netns.sh signaling_resume.sh AEGIS_BINARY
# Set NODE to pick the node binary.
set -euo pipefail
source "$(dirname "$0")/../interop/server_harness.sh"
harness_init signaling_resume "${1:-}"
node=${NODE:-node}
port=18480
proxy_port=18481

AEGIS_TOKEN_A=$(mint S ada Ada 10m)
AEGIS_TOKEN_B=$(mint S grace Grace 10m)
AEGIS_TOKEN_C=$(mint S alan Alan 10m)
export AEGIS_TOKEN_A AEGIS_TOKEN_B AEGIS_TOKEN_C

start_server "$port" --media-port 41500 --media-workers 1
status=0
AEGIS_SERVER_LOG="$log" "$node" "$here/chromium_signaling_resume.mjs" "http://127.0.0.1:$port" \
  "http://127.0.0.1:$proxy_port" || status=$?
finish "$status"

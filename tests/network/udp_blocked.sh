#!/usr/bin/env bash
# The UDP-blocked test (chromium_udp_blocked.mjs): the browser in a
# namespace of its own (client_netns.sh) whose policy routing refuses every
# UDP datagram (`ip rule ... ipproto udp prohibit`; the kernel has no netem
# and the machine no nft, and this needs neither), as a firewall that lets
# only TCP out does. The call must connect over ICE-TCP.
#   run_in_netns.sh udp_blocked.sh AEGIS_BINARY
set -euo pipefail
source "$(dirname "$0")/../interop/server_harness.sh"
harness_init udp_blocked "${1:-}"
source "$here/client_netns.sh"
node=${NODE:-node}
client_netns_up
ip -n "$client_ns" rule add ipproto udp prohibit priority 100
ip -n "$client_ns" -6 rule add ipproto udp prohibit priority 100

AEGIS_TOKEN_A=$(mint T ada Ada 10m)
AEGIS_TOKEN_B=$(mint T grace Grace 10m)
export AEGIS_TOKEN_A AEGIS_TOKEN_B

port=18495
serve_on_veth "$port" --media-port 41650 --media-workers 1
status=0
"$node" "$here/chromium_udp_blocked.mjs" "https://10.77.1.1:$port" || status=$?
finish "$status"

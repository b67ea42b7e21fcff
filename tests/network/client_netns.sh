# Shared by the network cases whose browser sits in a namespace of its own.
# Source it after server_harness.sh's harness_init, then:
#   client_netns_up   makes a namespace for the browser, joined to this one
#                     (the server's) by a veth pair: server 10.77.1.1,
#                     browser 10.77.1.2; exports AEGIS_CLIENT_NETNS and
#                     AEGIS_CHROMIUM (chromium_in_netns.sh); removed on exit
#   serve_on_veth PORT [serve flags...]   starts the server listening there
#                     (HTTPS, its self-signed certificate), /metrics open to
#                     the bearer of $AEGIS_METRICS_TOKEN (exported); sets $server
#   client_netns_cleanup   what client_netns_up registers with harness_atexit;
#                     a caller with cleanup of its own registers both:
#                     harness_atexit 'mine; client_netns_cleanup'

client_netns_up() {
  client_ns="aegis-client-$$-$RANDOM"
  ip netns add "$client_ns"
  harness_atexit client_netns_cleanup
  ip link add veth-srv type veth peer name veth-cli
  ip link set veth-cli netns "$client_ns"
  # No IPv6 on the veth: its link-local address would appear a second or two
  # later (duplicate address detection), and a browser already running in
  # this namespace takes that as a network change (ERR_NETWORK_CHANGED).
  sysctl -qw net.ipv6.conf.veth-srv.disable_ipv6=1
  ip netns exec "$client_ns" sysctl -qw net.ipv6.conf.veth-cli.disable_ipv6=1
  ip addr add 10.77.1.1/24 dev veth-srv
  ip link set veth-srv up
  ip -n "$client_ns" link set lo up
  # An address moved within the subnet (add the new, delete the old) must
  # not take the new one with it: deleting a primary address deletes its
  # secondaries unless they are promoted.
  ip netns exec "$client_ns" sysctl -qw net.ipv4.conf.all.promote_secondaries=1 net.ipv4.conf.default.promote_secondaries=1
  ip -n "$client_ns" addr add 10.77.1.2/24 dev veth-cli
  ip -n "$client_ns" link set veth-cli up
  export AEGIS_CLIENT_NETNS="$client_ns" AEGIS_CHROMIUM="$here/chromium_in_netns.sh"
}

client_netns_cleanup() {
  ip netns pids "$client_ns" 2>/dev/null | xargs -r kill 2>/dev/null || true
  ip netns delete "$client_ns" 2>/dev/null || true
}

serve_on_veth() {
  local port=$1
  shift
  AEGIS_METRICS_TOKEN=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
  export AEGIS_METRICS_TOKEN
  printf '%s\n' "$AEGIS_METRICS_TOKEN" >"$data/metrics-token"
  chmod 600 "$data/metrics-token"
  (cd "$repo_root" && exec "$aegis" serve --listen "10.77.1.1:$port" --data "$data" \
     --metrics-token-file "$data/metrics-token" "$@" >>"$log" 2>&1) &
  server=$!
  wait_listening "$port" "$server" 10.77.1.1
}

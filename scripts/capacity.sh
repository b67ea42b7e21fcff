#!/usr/bin/env bash
# Capacity run: `aegis serve` (embedded defaults, a fresh data folder) and
# aegis-load, each in a network namespace this script creates, joined by a
# veth pair (server 10.77.0.1, load generator 10.77.0.2 plus source addresses
# 10.77.1.1-200, since the server limits joins per address). With two or more
# cores the server is pinned to core 0 and the load generator to core 1, so
# the generator is not the server's bottleneck and each reports its own CPU.
# Prints aegis-load's JSON on stdout; cleans everything up on exit. Needs root.
#
#   scripts/capacity.sh [--build DIR] [--server-cores LIST --load-cores LIST | --no-pin] [--nice N]
#                       [--target aegis|janus] [aegis-load options...]
#   e.g. scripts/capacity.sh --rooms 1 --publishers 2 --subscribers 4 --duration 10
#        scripts/capacity.sh --publishers 1 --subscribers 10 --ramp --ramp-step 10
#
# --build DIR: the build folder with src/app/aegis and src/load/aegis-load
# (default: build/, the release build). --nice N: run both at nice N (e.g. -10
# on a machine busy with other work; the JSON's core_busy_percent and
# other_cpu_percent_of_one_core show such work). --no-pin: let the scheduler place
# both (on a core busy with other work a pinned process waits for it: about 4 ms
# of p99 latency here, against 0.35 ms unpinned). Other options go to aegis-load
# (aegis-load --help); --url, --tls-fingerprint, --data, --server-pid, --metrics-url,
# --metrics-token-file and the source addresses are set here. --target janus: the
# same load against Janus 1.1.2's videoroom (bench/janus/run_janus.sh, same
# namespaces, address and cores) instead of aegis serve.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
build="$repo/build"
server_cores="" load_cores="" nice="" target=aegis no_pin=""
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --help|-h) sed -n '2,24p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    --version) echo "capacity.sh (aegis-load $("$build/src/load/aegis-load" --version 2>/dev/null | cut -d' ' -f2 || echo unknown))"; exit 0 ;;
    --build) build=$(realpath "$2"); shift 2 ;;
    --server-cores) server_cores=$2; shift 2 ;;
    --load-cores) load_cores=$2; shift 2 ;;
    --nice) nice=$2; shift 2 ;;
    --no-pin) no_pin=1; shift ;;
    --target) target=$2; shift 2 ;;
    *) args+=("$1"); shift ;;
  esac
done
aegis="$build/src/app/aegis"
load="$build/src/load/aegis-load"
[ "$target" = janus ] && aegis="$load"  # no aegis serve then
for b in "$aegis" "$load"; do
  [ -x "$b" ] || { echo "capacity: no $b (build the aegis and aegis-load targets, or give --build DIR)" >&2; exit 1; }
done
[ "$(id -u)" -eq 0 ] || { echo "capacity: must run as root to create network namespaces" >&2; exit 1; }

cores=$(nproc)
if [ -z "$server_cores$no_pin" ] && [ "$cores" -ge 2 ]; then server_cores=0; load_cores=1; fi
server_pin=() load_pin=() workers=()
if [ -n "$server_cores" ]; then
  server_pin=(taskset -c "$server_cores")
  # One media worker per core the server may use.
  n=$(taskset -c "$server_cores" nproc)
  workers=(--media-workers "$n")
fi
[ -n "$load_cores" ] && load_pin=(taskset -c "$load_cores")
if [ -n "$nice" ]; then server_pin=(nice -n "$nice" "${server_pin[@]}"); load_pin=(nice -n "$nice" "${load_pin[@]}"); fi

tag="$$"
ns_srv="aegis-cap-srv-$tag" ns_load="aegis-cap-load-$tag"
data=$(mktemp -d) log=$(mktemp)
server="" janus_dir=""
cleanup() {
  if [ -n "$janus_dir" ]; then "$repo/bench/janus/run_janus.sh" stop "$janus_dir" || true; rm -rf "$janus_dir"; fi
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  for ns in "$ns_srv" "$ns_load"; do
    ip netns pids "$ns" 2>/dev/null | xargs -r kill 2>/dev/null || true
    ip netns delete "$ns" 2>/dev/null || true
  done
  rm -rf "$data" "$data.token" "$log"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ip netns add "$ns_srv"
ip netns add "$ns_load"
ip link add "acs$tag" type veth peer name "acl$tag"
ip link set "acs$tag" netns "$ns_srv"
ip link set "acl$tag" netns "$ns_load"
ip -n "$ns_srv" link set lo up
ip -n "$ns_load" link set lo up
ip -n "$ns_srv" addr add 10.77.0.1/16 dev "acs$tag"
ip -n "$ns_load" addr add 10.77.0.2/16 dev "acl$tag"
sources=200
for i in $(seq 1 $sources); do echo "addr add 10.77.1.$i/16 dev acl$tag"; done | ip -n "$ns_load" -batch -
ip -n "$ns_srv" link set "acs$tag" up
ip -n "$ns_load" link set "acl$tag" up

if [ "$target" = janus ]; then
  janus_dir=$(mktemp -d /tmp/janus-bench.XXXXXX)
  cpus=(); [ -n "$server_cores" ] && cpus=(--cpus "$server_cores")
  nice_janus=(); [ -n "$nice" ] && nice_janus=(nice -n "$nice")
  "${nice_janus[@]}" "$repo/bench/janus/run_janus.sh" start "$ns_srv" --address 10.77.0.1 --dir "$janus_dir" \
    "${cpus[@]}" >/dev/null
  echo "capacity: Janus $(janus --version 2>/dev/null | sed -n 's/^Janus version: .*(\(.*\))$/\1/p') in $ns_srv," \
    "cores ${server_cores:-any}, aegis-load cores ${load_cores:-any}" >&2
  status=0
  ip netns exec "$ns_load" "${load_pin[@]}" "$load" --target janus --janus-url http://10.77.0.1:8088/janus \
    --server-pid "$(cat "$janus_dir/janus.pid")" --source-ip 10.77.1.1 --source-count "$sources" "${args[@]}" || status=$?
  [ "$status" -eq 0 ] || { echo "capacity: aegis-load exited $status; Janus's log (last 30 lines):" >&2; tail -n 30 "$janus_dir/janus.log" >&2; }
  exit "$status"
fi

port=8443
# The load generator reads the server's /metrics from the other namespace: a bearer token.
(umask 077 && head -c 32 /dev/urandom | xxd -p -c 64 >"$data.token")
(cd "$repo" && exec ip netns exec "$ns_srv" "${server_pin[@]}" "$aegis" serve --listen "10.77.0.1:$port" \
  --data "$data" --media-port 40000 "${workers[@]}" --max-participants 257 \
  --max-connections 8000 --max-connections-per-address 1000 --metrics-token-file "$data.token" >>"$log" 2>&1) &
server=$!
for _ in $(seq 100); do
  ip netns exec "$ns_srv" bash -c "exec 3<>/dev/tcp/10.77.0.1/$port" 2>/dev/null && break
  kill -0 "$server" 2>/dev/null || { echo "capacity: aegis serve exited:" >&2; cat "$log" >&2; exit 1; }
  sleep 0.1
done
fp=$(sed -n 's/^  tls .*SHA-256 \([0-9A-F:]*\)$/\1/p' "$log")
[ -n "$fp" ] || { echo "capacity: no certificate fingerprint in the server's banner:" >&2; cat "$log" >&2; exit 1; }

if [ -n "$server_cores" ]; then
  echo "capacity: aegis serve pinned to core(s) $server_cores (${workers[1]} media worker(s)), aegis-load to core(s) $load_cores, of $cores" >&2
else
  echo "capacity: $cores core(s): aegis serve and aegis-load share them (not pinned)" >&2
fi
status=0
ip netns exec "$ns_load" "${load_pin[@]}" "$load" --url "wss://10.77.0.1:$port/ws" --tls-fingerprint "$fp" \
  --data "$data" --server-pid "$server" --metrics-url "https://10.77.0.1:$port/metrics" \
  --metrics-token-file "$data.token" --source-ip 10.77.1.1 --source-count "$sources" "${args[@]}" || status=$?
# Datagrams the server's host side dropped at full socket buffers (the load side's are in the JSON).
udp=$(ip netns exec "$ns_srv" awk '/^Udp: [0-9]/ {print "receive buffer " $6 ", send buffer " $7}' /proc/net/snmp)
echo "capacity: server namespace UDP drops over the whole run: $udp" >&2
if ! kill -0 "$server" 2>/dev/null; then
  echo "capacity: aegis serve is no longer running; its log:" >&2
  tail -n 50 "$log" >&2
  status=1
elif [ "$status" -ne 0 ]; then
  echo "capacity: aegis-load exited $status; the server's log (last 30 lines):" >&2
  tail -n 30 "$log" >&2
fi
exit "$status"

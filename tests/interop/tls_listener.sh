#!/usr/bin/env bash
# `aegis serve` on a non-loopback address: HTTPS/WSS only, a generated
# self-signed certificate whose printed fingerprint is the one served, no
# dev-token endpoint, TLS 1.2 as the floor, and a clean shutdown on SIGTERM
# that tells joined participants. Run inside run_in_netns.sh, which gives us
# a private network namespace; the test address 10.77.0.1 lives only there.
#   run_in_netns.sh tls_listener.sh AEGIS_BINARY
set -euo pipefail
aegis=$(realpath "${1:?usage: tls_listener.sh AEGIS_BINARY}")
ip addr add 10.77.0.1/32 dev lo
exec /usr/bin/python3 "$(dirname "$0")/tls_listener.py" "$aegis" 10.77.0.1

#!/usr/bin/env bash
# Starts Chromium inside the network namespace $AEGIS_CLIENT_NETNS (for
# playwright-core, which talks to it over pipes, so it works across
# namespaces): AEGIS_CHROMIUM=chromium_in_netns.sh.
set -euo pipefail
exec ip netns exec "${AEGIS_CLIENT_NETNS:?}" /usr/bin/chromium "$@"

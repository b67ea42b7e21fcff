#!/usr/bin/env bash
# Installs what is missing, builds, and starts aegis on its embedded defaults,
# with --dev: the app on loopback mints its own development tokens (the
# banner says so; `aegis serve` without --dev has no dev-token endpoint).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh release aegis >/dev/null
exec build/src/app/aegis serve --dev "$@"

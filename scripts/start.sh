#!/usr/bin/env bash
# Installs what is missing, builds, and starts aegis on its embedded defaults.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh release aegis >/dev/null
exec build/src/app/aegis serve "$@"

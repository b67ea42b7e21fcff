#!/usr/bin/env bash
# Installs every Debian package Aegis needs to build and test. Idempotent and
# quiet when everything is already there; needs root (or sudo) otherwise.
set -euo pipefail

PACKAGES=(
  # toolchain
  g++ cmake ninja-build ccache pkg-config clang-14 libclang-rt-14-dev llvm-14
  # libraries
  libssl-dev nlohmann-json3-dev libboost-dev libusrsctp-dev libsqlite3-dev libtomlplusplus-dev
  # codecs for native clients (aegis-bot: real VP8 and Opus; src/media)
  libvpx-dev libopus-dev
  # tests, benchmarks, oracles (libsrtp2 is test/benchmark-only)
  libgtest-dev libgmock-dev libbenchmark-dev libsrtp2-dev sqlite3
  # interop tests with real peers, in network namespaces (tests/interop/)
  chromium python3-aiortc python3-websockets nodejs npm iproute2 janus coturn
  # GStreamer as a WHIP client (webrtcbin, libnice; tests/interop/gst_whip_publish.py)
  python3-gst-1.0 gir1.2-gst-plugins-base-1.0 gir1.2-gst-plugins-bad-1.0 gstreamer1.0-plugins-base
  gstreamer1.0-plugins-good gstreamer1.0-plugins-bad gstreamer1.0-nice
  # the Debian package and its test (packaging/): dpkg-shlibdeps and file (cpack), systemd-analyze
  dpkg-dev file systemd curl strace
  # several nodes (tests/cluster/, src/cluster/ tests): a real Redis, redis-cli; jq reads `aegis cluster status --json`
  redis-server redis-tools jq
)

# Installed package names plus what they provide: a nodejs build that
# bundles npm (and conflicts with Debian's npm) counts as providing npm.
installed=$(dpkg-query -W -f='${db:Status-Abbrev}|${Package}|${Provides}\n' 2>/dev/null |
  awk -F'|' '$1 ~ /^ii/ { print $2; n = split($3, p, /, */); for (i = 1; i <= n; i++) { split(p[i], w, " "); print w[1] } }')
missing=()
for pkg in "${PACKAGES[@]}"; do
  if ! grep -qxF "$pkg" <<<"$installed"; then
    missing+=("$pkg")
  fi
done

SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# npm packages (package.json, package-lock.json at the repository root;
# node_modules/ is git-ignored): playwright-core for the browser tests (it
# drives the Debian chromium above and never downloads a browser), ts-mls and
# its @hpke peers for the SDK's MLS layer, esbuild to bundle them.
node_major=$(node --version | sed -E 's/^v([0-9]+).*/\1/')
if [ "$node_major" -lt 20 ]; then
  echo "setup: warning: node $(node --version) is older than playwright-core and ts-mls need (>= 20)" >&2
fi
repo_root=$(cd "$(dirname "$0")/.." && pwd)
npm_needed=0
for pkg in playwright-core ts-mls @hpke/hybridkem-x-wing esbuild; do
  [ -f "$repo_root/node_modules/$pkg/package.json" ] || npm_needed=1
done
# An install older than the lock file (a pull that changed a pin) is redone too.
if [ -f "$repo_root/node_modules/.package-lock.json" ] &&
   [ "$repo_root/package-lock.json" -nt "$repo_root/node_modules/.package-lock.json" ]; then
  npm_needed=1
fi
if [ "$npm_needed" -eq 1 ]; then
  echo "setup: npm ci"
  (cd "$repo_root" && npm ci --no-audit --no-fund >/dev/null)
fi
# The browser bundle of ts-mls (web/sdk/mls_vendor.js, generated, git-ignored);
# rebuilt when package-lock.json (or the build script) is newer than it.
"$repo_root/scripts/build-web.sh"

#!/usr/bin/env bash
# Installs every Debian package Aegis needs to build and test. Idempotent and
# quiet when everything is already there; needs root (or sudo) otherwise.
set -euo pipefail

PACKAGES=(
  # toolchain
  g++ cmake ninja-build ccache pkg-config clang-14 libclang-rt-14-dev llvm-14
  # libraries
  libssl-dev nlohmann-json3-dev libboost-dev libusrsctp-dev
  # tests, benchmarks, oracles (libsrtp2 is test/benchmark-only)
  libgtest-dev libgmock-dev libbenchmark-dev libsrtp2-dev
)

missing=()
for pkg in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "setup: installing ${missing[*]}"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null

#!/usr/bin/env bash
# Configures and builds one flavour of the tree:
#   release (default) -> build/        g++, -Werror, tests and benchmarks
#   asan              -> build-asan/   clang-14 with ASan+UBSan, tests
#   fuzz              -> build-fuzz/   clang-14 libFuzzer targets (build-fuzz/fuzzers/)
#   tsan              -> build-tsan/   clang-14 with ThreadSanitizer; by default only what
#                                      scripts/test.sh runs under it (server and transport
#                                      tests, aegis and aegis-bot for the interop run)
# Extra arguments are passed to the build (e.g. a target name).
set -euo pipefail
cd "$(dirname "$0")/.."
flavour=${1:-release}
shift || true
jobs=${AEGIS_JOBS:-$(nproc)}

case "$flavour" in
  release) dir=build;      cc=gcc;      cxx=g++;        flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo) ;;
  asan)    dir=build-asan; cc=clang-14; cxx=clang++-14; flags=(-DCMAKE_BUILD_TYPE=Debug -DAEGIS_SANITIZE=ON) ;;
  fuzz)    dir=build-fuzz; cc=clang-14; cxx=clang++-14; flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DAEGIS_FUZZ=ON) ;;
  tsan)    dir=build-tsan; cc=clang-14; cxx=clang++-14
           flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DAEGIS_TSAN=ON -DAEGIS_BENCH=OFF)
           [ $# -gt 0 ] || set -- server_test transport_test cluster_redis_test aegis aegis-bot tsan_race_probe ;;
  *) echo "usage: $0 [release|asan|fuzz|tsan] [targets...]" >&2; exit 2 ;;
esac

if [ ! -f "$dir/build.ninja" ]; then
  CC=$cc CXX=$cxx cmake -S . -B "$dir" -G Ninja -DAEGIS_WERROR=ON "${flags[@]}" >/dev/null
fi
targets=()
for t in "$@"; do targets+=(--target "$t"); done
cmake --build "$dir" -j "$jobs" "${targets[@]}"

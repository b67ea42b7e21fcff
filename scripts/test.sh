#!/usr/bin/env bash
# The one command that installs, builds and runs every test:
#   1. unit, vector and differential tests (g++, -Werror)
#   2. the same tests under ASan+UBSan (clang-14)
#   3. the server, transport and Redis (heartbeat, revocation feed) tests and one call through the server under
#      ThreadSanitizer (clang-14): media workers and the signaling thread
#   4. every fuzz target for FUZZ_SECONDS each on its seed corpus
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh

echo "== release build and tests"
scripts/build.sh release
ctest --test-dir build --output-on-failure -j 2

echo "== ASan+UBSan build and tests"
scripts/build.sh asan
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build-asan --output-on-failure -j 2

echo "== ThreadSanitizer build and tests (server, transport, Redis heartbeat and feed, one bot call)"
scripts/build.sh tsan
ctest --test-dir build-tsan --output-on-failure -j 2 \
  -R '^(server_test|transport_test|cluster_redis_test|tsan_detects_a_race|tsan_interop_bot_call)$'

echo "== fuzzing (${FUZZ_SECONDS:-20}s per target)"
scripts/build.sh fuzz
scripts/fuzz.sh

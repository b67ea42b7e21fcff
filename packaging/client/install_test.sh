#!/usr/bin/env bash
# client_dev_install: installs the native client library (component
# client-dev) from this build into a temporary prefix, checks the layout,
# then configures, builds and runs tests/client_dev/ against that prefix
# only (a copy outside the source tree, so no header of src/ can leak in).
#
#   install_test.sh BUILD_DIR SOURCE_DIR
set -euo pipefail

build=$(cd "$1" && pwd)
src=$(cd "$2" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
prefix="$tmp/prefix"

failed=0
check() {  # check DESCRIPTION COMMAND...
  local what=$1
  shift
  if "$@"; then echo "ok: $what"; else echo "FAIL: $what" >&2; failed=1; fi
}

cmake --install "$build" --component client-dev --prefix "$prefix" >"$tmp/install.log"
echo "installed $(find "$prefix" -type f | wc -l) files into the prefix"

for f in include/aegis/client/client.h include/aegis/client/ws_channel.h include/aegis/transport/peer_transport.h \
         include/aegis/media/vp8_encoder.h lib/aegis/libaegis_client.a lib/aegis/libaegis_client_io.a \
         lib/aegis/libaegis_media.a lib/cmake/AegisClient/AegisClientConfig.cmake \
         lib/cmake/AegisClient/AegisClientConfigVersion.cmake lib/cmake/AegisClient/AegisClientTargets.cmake; do
  check "$f installed" test -f "$prefix/$f"
done
check "no test helper headers" test -z "$(find "$prefix/include" -name '*test_util.h' -o -name '*_test_*.h' \
  -o -name 'test_sdps.h' -o -name 'test_token.h')"
check "no server layers (sfu, server, store)" test ! -e "$prefix/include/aegis/sfu" -a ! -e "$prefix/include/aegis/server" \
  -a ! -e "$prefix/include/aegis/store"
check "nothing names the source tree" test -z "$(grep -rlF "$src/src" "$prefix/lib/cmake" || true)"

# (That the server's .deb takes none of it along is aegis_deb_package's
# "no file outside the package's places".)

cp -r "$src/tests/client_dev" "$tmp/consumer"
if ! cmake -S "$tmp/consumer" -B "$tmp/consumer-build" -G Ninja -DCMAKE_PREFIX_PATH="$prefix" \
     -DCMAKE_BUILD_TYPE=RelWithDebInfo >"$tmp/configure.log" 2>&1; then
  cat "$tmp/configure.log" >&2
  echo "FAIL: the consumer does not configure against the installed library" >&2
  exit 1
fi
if ! cmake --build "$tmp/consumer-build" >"$tmp/build.log" 2>&1; then
  cat "$tmp/build.log" >&2
  echo "FAIL: the consumer does not build against the installed library" >&2
  exit 1
fi
# Every include path the consumer was compiled with is inside the prefix.
outside=$(grep -o -- '-I[^ ]*\|-isystem [^ ]*' "$tmp/consumer-build/build.ninja" | grep -F -e "$src/" || true)
check "the consumer's include paths stay out of the source tree${outside:+: $outside}" test -z "$outside"
if "$tmp/consumer-build/client_consumer"; then
  echo "ok: the consumer runs"
else
  echo "FAIL: the consumer exits non-zero" >&2
  failed=1
fi
exit "$failed"

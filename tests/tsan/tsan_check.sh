#!/usr/bin/env bash
# Runs a command with ThreadSanitizer's reports written to files instead of
# stderr, and fails if any process it started reported anything: a server
# that a test stops with SIGTERM reports there too, after the test's own
# checks have passed.
#   tsan_check.sh COMMAND [ARGS...]
set -uo pipefail
case "${1:-}" in
  --help|-h) sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  --version) echo "tsan_check 1.0"; exit 0 ;;
  "") echo "usage: $0 COMMAND [ARGS...]" >&2; exit 2 ;;
esac
reports=$(mktemp -d)
trap 'rm -rf "$reports"' EXIT
export TSAN_OPTIONS="log_path=$reports/tsan second_deadlock_stack=1 ${TSAN_OPTIONS:-}"
"$@"
status=$?
if compgen -G "$reports/tsan*" >/dev/null; then
  for f in "$reports"/tsan*; do echo "--- $f"; cat "$f"; done
  echo "FAIL: ThreadSanitizer reported the above" >&2
  status=1
fi
exit "$status"

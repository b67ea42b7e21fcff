#!/usr/bin/env bash
# Runs every libFuzzer target in build-fuzz/fuzzers/ for FUZZ_SECONDS each
# (default 20) on a scratch copy of its committed seed corpus
# (fuzz/corpus/<name>/). Any crash, leak, timeout or sanitizer report fails.
# Run longer by hand, e.g.:  FUZZ_SECONDS=600 scripts/fuzz.sh stun_fuzzer
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-20}
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

names=("$@")
if [ ${#names[@]} -eq 0 ]; then
  for bin in build-fuzz/fuzzers/*; do names+=("$(basename "$bin")"); done
fi

passed=0 failed=0
for name in "${names[@]}"; do
  bin=build-fuzz/fuzzers/$name
  corpus=fuzz/corpus/$name
  if [ ! -x "$bin" ]; then echo "fuzz: no binary $bin" >&2; failed=$((failed + 1)); continue; fi
  if [ ! -d "$corpus" ] || [ -z "$(ls -A "$corpus")" ]; then
    echo "fuzz: $name has no seed corpus in $corpus" >&2; failed=$((failed + 1)); continue
  fi
  mkdir -p "$scratch/$name"
  cp "$corpus"/* "$scratch/$name/"
  log=$scratch/$name.log
  if "$bin" "$scratch/$name" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
       -artifact_prefix="$scratch/" -print_final_stats=1 >"$log" 2>&1; then
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
    echo "fuzz: $name ok ($runs executions in ${seconds}s)"
    passed=$((passed + 1))
  else
    echo "fuzz: $name FAILED" >&2
    tail -40 "$log" >&2
    failed=$((failed + 1))
  fi
done
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]

#!/usr/bin/env bash
# Nightly-style fuzzing (not part of scripts/test.sh): builds the fuzz
# targets, then runs every one (or the ones named) for FUZZ_SECONDS each
# (default 600), one at a time, from its committed seeds. What it finds
# stays out of the tree, in FUZZ_OUT (default build-fuzz/long/<time>/):
#   <target>/corpus/   new inputs that reached new code (seeds are only read)
#   <target>/crash-*   inputs that crashed or broke an invariant, and the log
#
#   scripts/fuzz-long.sh                                    # all, 10 min each
#   FUZZ_SECONDS=3600 scripts/fuzz-long.sh sfu_router_fuzzer
#
# To promote new seeds, keep only inputs that add coverage to the committed
# corpus, then review and commit them:
#   build-fuzz/fuzzers/T -merge=1 fuzz/corpus/T "$FUZZ_OUT"/T/corpus
# A crash input is reproduced with `build-fuzz/fuzzers/T FILE`; once fixed,
# commit it to fuzz/corpus/T/ so scripts/fuzz.sh keeps checking it.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-600}
out=${FUZZ_OUT:-build-fuzz/long/$(date +%Y%m%d-%H%M%S)}

scripts/build.sh fuzz "$@"
names=("$@")
if [ ${#names[@]} -eq 0 ]; then
  for bin in build-fuzz/fuzzers/*; do names+=("$(basename "$bin")"); done
fi

failed=0
for name in "${names[@]}"; do
  dir=$out/$name
  mkdir -p "$dir/corpus"
  # New inputs go to the first folder; the committed seeds are read only.
  if build-fuzz/fuzzers/"$name" "$dir/corpus" "fuzz/corpus/$name" -max_total_time="$seconds" -timeout=10 \
       -rss_limit_mb=2048 -artifact_prefix="$dir/" -print_final_stats=1 >"$dir/log" 2>&1; then
    status=ok
  else
    status=FAILED
    failed=$((failed + 1))
  fi
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$dir/log" | grep -o '[0-9]*$' || echo "?")
  echo "fuzz-long: $name $status ($runs executions in ${seconds}s, $(ls "$dir/corpus" | wc -l) new inputs) -> $dir"
done
echo "fuzz-long: ${#names[@]} targets, $failed failed; output in $out"
[ "$failed" -eq 0 ]

#!/usr/bin/env bash
# CTest load_smoke: a tiny capacity run (scripts/capacity.sh: aegis serve and
# aegis-load in their own network namespaces) of 1 room, 1 publisher and 2
# subscribers for 5 s. Fails unless every participant connected, both
# subscribers received audio and video, and the loss is below 1 %. Needs root.
# More options go to capacity.sh (load_smoke_janus: --target janus).
#   load_smoke.sh BUILD_DIR [capacity.sh options]
set -euo pipefail
build=${1:?usage: load_smoke.sh BUILD_DIR [capacity.sh options]}
shift
repo="$(cd "$(dirname "$0")/../.." && pwd)"
out=$(mktemp)
trap 'rm -f "$out"' EXIT
status=0
"$repo/scripts/capacity.sh" --build "$build" --rooms 1 --publishers 1 --subscribers 2 --duration 5 "$@" >"$out" || status=$?
cat "$out"
[ "$status" -eq 0 ] || { echo "FAIL: capacity.sh exited $status" >&2; exit 1; }
python3 - "$out" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
r = d["result"]
a = r["aggregate"]
problems = []
if r["connected"] != r["participants"] or r["participants"] != 3:
    problems.append(f"{r['connected']} of {r['participants']} participants connected (need 3 of 3)")
if r["receiving_streams"] != 4:
    problems.append(f"{r['receiving_streams']} (subscriber, stream) pairs received media (need 4: 2 x audio+video)")
if a["received"] < 1000:
    problems.append(f"{a['received']} packets received (5 s of 2 x ~175 packets/s should be ~1,750)")
if a["loss_percent"] >= 1.0:
    problems.append(f"loss {a['loss_percent']} % (need < 1 %)")
if r["srtp_errors"]:
    problems.append(f"{r['srtp_errors']} SRTP errors")
for p in problems:
    print("FAIL: " + p, file=sys.stderr)
print(f"load_smoke: received {a['received']} of {a['expected']} packets, loss {a['loss_percent']} %, "
      f"p50 {a['latency_p50_ms']} ms, p99 {a['latency_p99_ms']} ms")
sys.exit(1 if problems else 0)
PY

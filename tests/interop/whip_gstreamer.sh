#!/usr/bin/env bash
# GStreamer publishes into a room over WHIP (RFC 9725): gst_whip_publish.py
# (GStreamer's webrtcbin: libnice ICE, its own DTLS and SRTP) sends a moving
# test picture (videotestsrc, VP8 at 320x240, 30 fps) and a tone
# (audiotestsrc, Opus) to POST /whip/G with a room G token; the WHIP
# participant appears in the room with its two tracks (whip_probe.py), and
# Chromium (chromium_decodes_aiortc.mjs) joins room G and decodes both,
# picture size and motion included. Then the publisher is stopped and its
# DELETE ends the session (200).
# Meant to run inside run_in_netns.sh:
#   run_in_netns.sh whip_gstreamer.sh AEGIS_BINARY
set -euo pipefail
source "$(dirname "$0")/server_harness.sh"
harness_init whip_gstreamer "${1:-}"
node=${NODE:-node}
python=${PYTHON:-/usr/bin/python3}
port=18448
"$python" -c 'import gi; gi.require_version("GstWebRTC", "1.0")' 2>/dev/null ||
  { echo "whip_gstreamer: FAIL: no GStreamer WebRTC for Python (python3-gst-1.0, gir1.2-gst-plugins-bad-1.0: scripts/setup.sh)" >&2; exit 1; }
gst_log=$(mktemp)
gst_pid=""
harness_atexit '[ -n "$gst_pid" ] && kill "$gst_pid" 2>/dev/null; rm -f "$gst_log"'

# libnice gathers no candidate on loopback alone: give this namespace one
# more local address (a veth pair, both ends here), where the server's
# media listens too.
ip link add gst0 type veth peer name gst1
sysctl -qw net.ipv6.conf.gst0.disable_ipv6=1 net.ipv6.conf.gst1.disable_ipv6=1
ip addr add 10.99.0.1/24 dev gst0
ip link set gst0 up
ip link set gst1 up

start_server "$port" --media-port 41490 --media-workers 1 --media-host 10.99.0.1
status=0
"$python" "$here/gst_whip_publish.py" "http://127.0.0.1:$port/whip/G" "$(mint G gst GStreamer 10m)" 90 \
  >"$gst_log" 2>&1 &
gst_pid=$!

# The WHIP participant's id, once it is in room G with both tracks.
if gst_id=$("$python" "$here/whip_probe.py" "$port" G "$(mint G probe Probe 10m)" GStreamer 20); then
  echo "ok   GStreamer's WHIP session is a participant of room G with audio and video: $gst_id"
  AEGIS_ROOM=G AEGIS_TOKEN_CHROMIUM=$(mint G chromium Chromium 10m) AEGIS_AIORTC_ID="$gst_id" AEGIS_AIORTC_NAME=GStreamer \
    AEGIS_AIORTC_WIDTH=320 AEGIS_AIORTC_HEIGHT=240 "$node" "$here/chromium_decodes_aiortc.mjs" "http://127.0.0.1:$port" ||
    status=$?
else
  echo "FAIL: GStreamer's WHIP session did not appear in room G with two tracks" >&2
  status=1
fi
if ! kill -0 "$gst_pid" 2>/dev/null; then
  echo "FAIL: the GStreamer publisher exited early" >&2; status=1
fi
kill -TERM "$gst_pid" 2>/dev/null || true
wait "$gst_pid" 2>/dev/null || true
gst_pid=""
grep -q '^whip: connected' "$gst_log" || { echo "FAIL: webrtcbin never reported its connection up" >&2; status=1; }
grep -q '^whip: DELETE 200' "$gst_log" || { echo "FAIL: the session's DELETE did not answer 200" >&2; status=1; }
echo "--- GStreamer publisher (last 15 lines)"; tail -n 15 "$gst_log"
finish "$status"

#!/usr/bin/env python3
"""GStreamer as a WHIP client (RFC 9725): webrtcbin (GStreamer's own WebRTC:
libnice ICE, its DTLS and SRTP) publishes a moving test picture (videotestsrc,
VP8 at 320x240, 30 fps) and a 440 Hz tone (audiotestsrc, Opus):
   gst_whip_publish.py WHIP_URL TOKEN SECONDS
The offer goes out once ICE gathering is complete (no trickle: the server
answers PATCH with 405). Prints `whip: 201 <Location>` when answered,
`whip: connected` when webrtcbin's connection is up, sends DELETE after
SECONDS (or on SIGTERM) and exits 0; exits 1 with the reason on any failure (HTTP status,
pipeline error, no connection within 20 s).

Debian's own WHIP client (simple-whip-client) cannot run on Debian 12: it
links libsoup 2.4 and GStreamer's nice and webrtc plugins load libsoup 3,
which aborts the process.
"""
import signal
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstWebRTC", "1.0")
gi.require_version("GstSdp", "1.0")
from gi.repository import GLib, Gst, GstSdp, GstWebRTC  # noqa: E402

PIPELINE = (
    "webrtcbin name=send bundle-policy=max-bundle "
    "videotestsrc is-live=true pattern=smpte horizontal-speed=8 ! video/x-raw,width=320,height=240,framerate=30/1 ! videoconvert ! "
    "queue ! vp8enc deadline=1 target-bitrate=400000 keyframe-max-dist=60 ! rtpvp8pay pt=96 ! queue ! "
    "application/x-rtp,media=video,encoding-name=VP8,payload=96,clock-rate=90000 ! send. "
    "audiotestsrc is-live=true wave=sine freq=440 volume=0.3 ! audioconvert ! audioresample ! queue ! opusenc ! "
    "rtpopuspay pt=111 ! queue ! application/x-rtp,media=audio,encoding-name=OPUS,payload=111,clock-rate=48000 ! send."
)


def main():
    url, token, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
    Gst.init(None)
    loop = GLib.MainLoop()
    pipeline = Gst.parse_launch(PIPELINE)
    webrtc = pipeline.get_by_name("send")
    state = {"location": None, "code": 0, "connected": False}
    start = time.monotonic()

    def say(text):
        print("whip: %s (%.1f s)" % (text, time.monotonic() - start), flush=True)

    def fail(reason):
        say("FAIL: %s" % reason)
        state["code"] = 1
        loop.quit()

    def post_offer():
        offer = webrtc.get_property("local-description").sdp.as_text()
        request = urllib.request.Request(url, data=offer.encode(), method="POST", headers={
            "Content-Type": "application/sdp", "Authorization": "Bearer " + token})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                status, answer = response.status, response.read().decode()
                location = urllib.parse.urljoin(url, response.headers.get("Location", ""))
        except urllib.error.HTTPError as e:
            return fail("POST answered %d: %s" % (e.code, e.read().decode(errors="replace")[:200]))
        except OSError as e:
            return fail("POST failed: %s" % e)
        if status != 201:
            return fail("POST answered %d, not 201" % status)
        state["location"] = location
        say("201 %s" % location)
        ok, message = GstSdp.SDPMessage.new_from_text(answer)
        if ok != GstSdp.SDPResult.OK:
            return fail("the answer does not parse")
        description = GstWebRTC.WebRTCSessionDescription.new(GstWebRTC.WebRTCSDPType.ANSWER, message)
        webrtc.emit("set-remote-description", description, None)

    def on_gathering(element, _param):
        gathering = element.get_property("ice-gathering-state")
        say("ICE gathering %s" % gathering.value_nick)
        if gathering == GstWebRTC.WebRTCICEGatheringState.COMPLETE:
            GLib.idle_add(lambda: post_offer() and False)

    def on_connection(element, _param):
        connection = element.get_property("connection-state")
        say("connection %s" % connection.value_nick)
        if connection == GstWebRTC.WebRTCPeerConnectionState.CONNECTED and not state["connected"]:
            state["connected"] = True
            say("connected")
        elif connection == GstWebRTC.WebRTCPeerConnectionState.FAILED:
            fail("the connection failed")

    def on_offer(promise, _data):
        reply = promise.get_reply()
        offer = reply.get_value("offer") if reply and reply.has_field("offer") else None
        if offer is None:
            return fail("webrtcbin made no offer: %s" % (reply.to_string() if reply else "no reply"))
        webrtc.emit("set-local-description", offer, None)

    def on_negotiation_needed(element):
        for i in range(2):
            transceiver = element.emit("get-transceiver", i)
            if transceiver is not None:
                transceiver.set_property("direction", GstWebRTC.WebRTCRTPTransceiverDirection.SENDONLY)
        element.emit("create-offer", None, Gst.Promise.new_with_change_func(on_offer, None))

    def on_bus(_bus, message):
        if message.type == Gst.MessageType.ERROR:
            error, debug = message.parse_error()
            fail("pipeline error: %s (%s)" % (error.message, debug))
        return True

    webrtc.connect("on-negotiation-needed", on_negotiation_needed)
    webrtc.connect("notify::ice-gathering-state", on_gathering)
    webrtc.connect("notify::connection-state", on_connection)
    bus = pipeline.get_bus()
    bus.add_signal_watch()
    bus.connect("message", on_bus)
    GLib.timeout_add(20_000, lambda: (state["connected"] or fail("not connected within 20 s")) and False)
    GLib.timeout_add(int(seconds * 1000), lambda: loop.quit() or False)
    GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGTERM, lambda: loop.quit() or False)
    pipeline.set_state(Gst.State.PLAYING)
    loop.run()
    pipeline.set_state(Gst.State.NULL)
    if state["location"]:
        request = urllib.request.Request(state["location"], method="DELETE",
                                         headers={"Authorization": "Bearer " + token})
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                print("whip: DELETE %d" % response.status, flush=True)
        except (urllib.error.HTTPError, OSError) as e:
            print("whip: DELETE failed: %s" % e, flush=True)
    return state["code"]


sys.exit(main())

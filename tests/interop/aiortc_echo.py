#!/usr/bin/python3
"""Interop test: aiortc (a WebRTC implementation nobody here wrote) against aegis-echo.

Run inside a network namespace whose lo has 127.0.0.2 too (aioice gathers no
127.0.0.1 candidate): see run_in_netns.sh. Checks, each fatal if it fails:
  1. video frames sent by aiortc come back and decode (>= 30 frames);
  2. a data channel message comes back unchanged;
  3. with an altered fingerprint in the offer the server receives, no
     connection and no frames.
The negotiated SRTP profile, and that the server itself refused the third
call (exactly one session reported connected: echo_interop.sh --connected 1),
are checked by the caller from aegis-echo's log. The fingerprint is altered
in the offer, not the answer: aiortc checks the server's fingerprint only
after the handshake, so an altered answer would test aiortc, not Aegis.
"""
import asyncio
import re
import sys
import urllib.request

from aiortc import RTCPeerConnection, RTCSessionDescription, VideoStreamTrack

WHIP = "http://127.0.0.1:%s/whip" % (sys.argv[-1] if len(sys.argv) > 1 else "8080")


def post_offer(sdp):
    req = urllib.request.Request(WHIP, data=sdp.encode(), method="POST",
                                 headers={"Content-Type": "application/sdp"})
    with urllib.request.urlopen(req, timeout=10) as resp:
        if resp.status != 201:
            raise RuntimeError("WHIP status %d" % resp.status)
        return resp.read().decode()


def tamper_fingerprints(sdp):
    """Flips the last hex digit of every fingerprint in `sdp`."""
    return re.sub(r"(a=fingerprint:sha-256 [0-9A-F:]*)([0-9A-F])",
                  lambda m: m.group(1) + ("0" if m.group(2) != "0" else "1"), sdp)


async def run_call(tamper_offer_fingerprint=False, seconds=8):
    pc = RTCPeerConnection()
    pc.addTrack(VideoStreamTrack())
    channel = pc.createDataChannel("echo")
    frames = 0
    echoed = asyncio.get_event_loop().create_future()

    @pc.on("track")
    def on_track(track):
        async def consume():
            nonlocal frames
            while True:
                try:
                    await track.recv()
                except Exception:
                    return
                frames += 1
        asyncio.ensure_future(consume())

    @channel.on("open")
    def on_open():
        channel.send("hello aegis")

    @channel.on("message")
    def on_message(message):
        if not echoed.done():
            echoed.set_result(message)

    await pc.setLocalDescription(await pc.createOffer())
    offer = pc.localDescription.sdp
    if tamper_offer_fingerprint:
        # The server now expects a certificate this peer does not have: its
        # DTLS must refuse the handshake.
        tampered = tamper_fingerprints(offer)
        assert tampered != offer, "no fingerprint to alter in the offer"
        offer = tampered
    answer = post_offer(offer)
    await pc.setRemoteDescription(RTCSessionDescription(sdp=answer, type="answer"))
    message = None
    try:
        message = await asyncio.wait_for(echoed, timeout=seconds)
    except asyncio.TimeoutError:
        pass
    await asyncio.sleep(3)  # let video keep flowing for a while after the message
    state = pc.connectionState
    await pc.close()
    return frames, message, state


async def main():
    failures = 0
    frames, message, state = await run_call()
    print("aiortc: call: state=%s frames=%d message=%r" % (state, frames, message))
    if frames < 30:
        print("FAIL: expected >= 30 echoed video frames, got %d" % frames)
        failures += 1
    if message != "hello aegis":
        print("FAIL: data channel echo missing or wrong: %r" % message)
        failures += 1

    frames, message, state = await run_call(tamper_offer_fingerprint=True, seconds=6)
    print("aiortc: altered fingerprint in the offer: state=%s frames=%d message=%r" % (state, frames, message))
    if frames != 0 or message is not None or state == "connected":
        print("FAIL: a call with a wrong fingerprint must not connect")
        failures += 1
    print("aiortc: %d passed, %d failed" % (3 - failures, failures))
    return 1 if failures else 0


sys.exit(asyncio.run(main()))

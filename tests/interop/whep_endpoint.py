#!/usr/bin/python3
"""WHEP playback against the running server (whep_endpoint.sh, inside
run_in_netns.sh; AEGIS_BIN and AEGIS_DATA exported for minting tokens):
    whep_endpoint.py PORT
Two aiortc participants publish audio+video into room V over the WebSocket
protocol: A (joined first, 320x240) and B (joined second, 160x120). aiortc
WHEP viewers POST recvonly audio+video offers to /whep/V. Checks:
  1. missing and forged bearer tokens, and a token for another room: 401
     with WWW-Authenticate: Bearer; nothing appears in the room;
  2. a token without the subscribe grant: 403 (insufficient_scope);
  3. room E (E2EE required): 403 saying WHEP cannot do end-to-end encryption;
  4. a valid viewer token (--no-publish): 201, application/sdp, Location
     /whep/V/<id>; the viewer decodes video (>= 60 frames, B's 160x120: the
     most recently joined publisher) and audio (>= 100 frames); A sees the
     viewer as a participant with no tracks;
  5. a viewer of /whep/V?participant=<A's id> decodes A's 320x240 video;
  6. B leaves and C (240x180) publishes: the first viewer's emptied sections
     play C (>= 30 more video frames at 240x180);
  7. a Chromium participant (the app, chromium_publishes.mjs) publishes its
     fake camera and microphone: a viewer of /whep/V?participant=<its id>
     decodes its 320x240 video and its audio;
  8. PATCH on the session: 405; DELETE with another token: 401; DELETE with
     its own token: 200 and A sees the viewer leave; DELETE again: 404.
Prints one line per check and `whep_endpoint: N passed, N failed`.
"""
import asyncio
import os
import subprocess
import sys
import time

from aiortc import RTCPeerConnection, RTCSessionDescription

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from aegis_client import (AegisClient, MediaCounters, MovingVideoTrack, ToneAudioTrack, http_request,  # noqa: E402
                          TrackCounter, section_ssrcs)

PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 18451
AEGIS = os.environ.get("AEGIS_BIN", "")
DATA = os.environ.get("AEGIS_DATA", "")

passed = 0
failed = 0
next_source = 0


def check(name, ok, detail):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
    print("%s %s: %s" % ("ok  " if ok else "FAIL", name, detail), flush=True)


def mint(room, identity, *flags):
    args = [AEGIS, "token", "create", "--data", DATA, "--room", room, "--identity", identity, *flags]
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout.strip()


def request(method, path, token=None, body=None, content_type="application/sdp"):
    """One request from a loopback address of its own (the join rate is per address)."""
    global next_source
    next_source += 1
    return http_request(PORT, "127.0.5.%d" % next_source, method, path, token, body, content_type)


async def http_(method, path, token=None, body=None):
    return await asyncio.to_thread(request, method, path, token, body)


class Viewer:
    """An aiortc WHEP client: recvonly audio+video, frames counted per track."""

    def __init__(self):
        self.pc = RTCPeerConnection()
        self.media = MediaCounters()
        self.ssrcs = {}
        self.tasks = []
        self.pc.addTransceiver("audio", direction="recvonly")
        self.pc.addTransceiver("video", direction="recvonly")

        @self.pc.on("track")
        def on_track(track):
            counter = TrackCounter("whep", track.kind, track.id)
            self.media.tracks.append(counter)
            self.tasks.append(asyncio.ensure_future(self.consume(track, counter)))

    async def consume(self, track, counter):
        while True:
            try:
                frame = await track.recv()
            except Exception:
                counter.ended = True
                return
            counter.record(frame)

    async def offer(self):
        await self.pc.setLocalDescription(await self.pc.createOffer())
        return self.pc.localDescription.sdp

    async def answer(self, sdp):
        self.ssrcs = section_ssrcs(sdp)
        await self.pc.setRemoteDescription(RTCSessionDescription(sdp=sdp, type="answer"))
        self.tasks.append(asyncio.ensure_future(self.keyframes()))

    async def keyframes(self):
        # As aegis_client does: ask for a keyframe while the video has none decoded.
        while True:
            await asyncio.sleep(1.0)
            if self.pc.connectionState != "connected" or self.media.frames("video") > 0:
                continue
            for transceiver in self.pc.getTransceivers():
                ssrc = self.ssrcs.get(transceiver.mid)
                if transceiver.kind == "video" and ssrc:
                    await transceiver.receiver._send_rtcp_pli(ssrc)

    def video_size(self):
        sizes = [(c.width, c.height) for c in self.media.counters("video") if c.width]
        return sizes[-1] if sizes else None

    async def close(self):
        for t in self.tasks:
            t.cancel()
        await self.pc.close()


async def wait(predicate, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        await asyncio.sleep(0.1)
    return predicate()


async def watch(viewer, path, token, label, want_size):
    status, headers, body = await http_("POST", path, token, await viewer.offer())
    check(label + " created", status == 201 and headers.get("content-type") == "application/sdp"
          and headers.get("location", "").startswith("/whep/V/"),
          "%d %s Location %s%s" % (status, headers.get("content-type"), headers.get("location"),
                                   "" if status == 201 else " " + body.strip()))
    if status != 201:
        return None
    await viewer.answer(body)
    ok = await wait(lambda: viewer.media.frames("video") >= 60 and viewer.media.frames("audio") >= 100, 20)
    check(label + " decodes", ok and viewer.video_size() == want_size,
          "%s (want video %dx%d)" % (viewer.media.summary(), *want_size))
    return headers.get("location")


async def main():
    a = AegisClient("ws://127.0.0.1:%d/ws" % PORT, label="A")
    await a.connect()
    await a.join("V", mint("V", "cam-a", "--name", "Camera A"))
    await a.publish([MovingVideoTrack(320, 240), ToneAudioTrack()])
    b = AegisClient("ws://127.0.0.1:%d/ws" % PORT, label="B")
    await b.connect()
    await b.join("V", mint("V", "cam-b", "--name", "Camera B"))
    await b.publish([MovingVideoTrack(160, 120), ToneAudioTrack(660.0)])
    a_id = a.participant_id
    print("A is %s" % a_id, flush=True)

    viewer_token = mint("V", "viewer", "--no-publish", "--name", "Viewer")
    probe = Viewer()
    offer = await probe.offer()
    await probe.close()
    await wait(lambda: len(a.participants) == 1, 5)  # A sees B
    room_before = len(a.participants)
    forged = viewer_token[:-4] + ("AAAA" if not viewer_token.endswith("AAAA") else "BBBB")
    for label, token in (("missing", None), ("forged", forged), ("other room", mint("X", "viewer", "--no-publish"))):
        status, headers, body = await http_("POST", "/whep/V", token, offer)
        check("401 " + label, status == 401 and headers.get("www-authenticate", "").startswith("Bearer"),
              "%d %s" % (status, headers.get("www-authenticate")))
    status, headers, body = await http_("POST", "/whep/V", mint("V", "pub-only", "--no-subscribe"), offer)
    check("403 without subscribe", status == 403 and "insufficient_scope" in headers.get("www-authenticate", ""),
          "%d %s" % (status, body.strip()))
    status, headers, body = await http_("POST", "/whep/E", mint("E", "viewer", "--no-publish"), offer)
    check("403 E2EE room", status == 403 and "WHEP cannot do" in body, "%d %s" % (status, body.strip()))
    await asyncio.sleep(0.5)
    check("nothing created", len(a.participants) == room_before, "participants seen by A: %d" % len(a.participants))

    viewer = Viewer()
    location = await watch(viewer, "/whep/V", viewer_token, "newest publisher", (160, 120))
    seen = await wait(lambda: any(p.get("name") == "Viewer" for p in a.participants.values()), 5)
    shown = [p for p in a.participants.values() if p.get("name") == "Viewer"]
    check("the viewer is a participant without tracks", seen and shown and not shown[0].get("tracks"),
          "%s" % shown)

    named = Viewer()
    named_location = await watch(named, "/whep/V?participant=%s" % a_id,
                                 mint("V", "viewer2", "--no-publish"), "named participant", (320, 240))

    # B leaves: the first viewer's emptied sections take the next publisher's tracks.
    await b.close()
    c = AegisClient("ws://127.0.0.1:%d/ws" % PORT, label="C")
    await c.connect()
    await c.join("V", mint("V", "cam-c", "--name", "Camera C"))
    frames_before = viewer.media.frames("video")
    await c.publish([MovingVideoTrack(240, 180), ToneAudioTrack(880.0)])
    refilled = await wait(lambda: viewer.video_size() == (240, 180) and
                          viewer.media.frames("video") >= frames_before + 30, 20)
    check("a refilled section plays the next publisher", refilled,
          "%s (want video 240x180 after B left)" % viewer.media.summary())

    # A browser as the publisher a viewer asks for.
    script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "chromium_publishes.mjs")
    browser = await asyncio.create_subprocess_exec(
        os.environ.get("NODE", "node"), script, "http://127.0.0.1:%d" % PORT, "V",
        mint("V", "browser", "--name", "Browser"), "90", stdout=asyncio.subprocess.PIPE)
    try:
        line = (await asyncio.wait_for(browser.stdout.readline(), 40)).decode().strip()
    except asyncio.TimeoutError:
        line = ""
    browser_id = line.split()[1] if line.startswith("publishing ") and len(line.split()) == 2 else ""
    check("a Chromium participant publishes", bool(browser_id), repr(line))
    if browser_id:
        of_browser = Viewer()
        await watch(of_browser, "/whep/V?participant=%s" % browser_id, mint("V", "viewer3", "--no-publish"),
                    "a viewer of Chromium", (320, 240))
        await of_browser.close()
    browser.terminate()
    await browser.wait()

    if location:
        status, headers, _ = await http_("PATCH", location, viewer_token, "a=x\r\n")
        check("405 PATCH", status == 405 and headers.get("allow") == "DELETE, OPTIONS", "%d" % status)
        status, _, _ = await http_("DELETE", location, mint("V", "someone", "--no-publish"))
        check("DELETE with another token", status == 401, "%d" % status)
        status, _, _ = await http_("DELETE", location, viewer_token)
        gone = await wait(lambda: not any(p.get("name") == "Viewer" for p in a.participants.values()), 3)
        check("DELETE", status == 200 and gone, "%d, left: %s" % (status, gone))
        status, _, _ = await http_("DELETE", location, viewer_token)
        check("DELETE again", status == 404, "%d" % status)
    del named_location

    await viewer.close()
    await named.close()
    await a.close()
    await c.close()
    print("whep_endpoint: %d passed, %d failed" % (passed, failed), flush=True)
    return 1 if failed else 0


sys.exit(asyncio.run(main()))

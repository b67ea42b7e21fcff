#!/usr/bin/python3
"""A small Python client for the Aegis signaling protocol (docs/protocol.md, v1).

Built on websockets (signaling) and aiortc (media), so the server is exercised
by a second WebRTC implementation besides the browsers'. Reusable by tests:

    client = AegisClient("ws://127.0.0.1:18443/ws")
    await client.connect()
    joined = await client.join("A", token)        # raises AegisError("unauthorized", ...)
    await client.publish([MovingVideoTrack(), ToneAudioTrack()])
    ...                                           # client.media counts what arrives
    await client.leave()

Two RTCPeerConnections per participant, as the protocol wants: the publisher
(this client offers sendonly sections, sends `publish`, applies `answer`)
and the subscriber (the server sends `offer`, this client answers with
`subscribe_answer`, one offer at a time). Every remote track is consumed by
a task that counts the frames it decodes (`client.media`), so nothing queues
up unread and tests can tell whether media keeps flowing.

aiortc 1.4 notes:
  - It has no bundlePolicy option, but its offers always carry
    a=group:BUNDLE with every mid, and after the answer it moves every
    section onto the first section's transport. Until then each section has
    its own ICE credentials; the server uses the first (BUNDLE-tag) section's,
    which are the ones aiortc keeps.
  - It gathers candidates itself (setLocalDescription waits for gathering),
    so the SDP it produces is complete; the server ignores the candidates
    anyway (ICE-lite, it learns addresses from our checks).
  - Its sections carry a=ssrc lines, which the server needs to accept a
    published track; publish() checks they are there.
  - The server forwards VP8 and Opus only: publish() restricts each
    transceiver to those codecs (no RTX, no H.264, no G.711).
  - aioice gathers no 127.0.0.1 candidate: run on a host (or network
    namespace, see run_in_netns.sh) whose loopback also has 127.0.0.2.

Run as a program it is one participant that joins, optionally publishes a
synthetic video and a tone, and stays until SIGTERM/SIGINT (see --help).
"""
import argparse
import asyncio
import fractions
import http.client
import json
import math
import re
import signal
import sys
import time

import av
import numpy
import websockets
from aiortc import (MediaStreamTrack, RTCPeerConnection, RTCRtpSender, RTCSessionDescription,
                    VideoStreamTrack)
from aiortc.mediastreams import MediaStreamError

PROTOCOL_VERSION = 2
REPLY_TIMEOUT_S = 15.0
ACCEPTED_CODECS = {"video": "video/vp8", "audio": "audio/opus"}


class AegisError(Exception):
    """An `error` from the server (`code` as in protocol.md §5), or one this client
    detected itself (`connection_closed`, `timeout`, `bad_offer`)."""

    def __init__(self, code, message="", field=None):
        super().__init__("%s: %s" % (code, message))
        self.code = code
        self.message = message
        self.field = field


# --- synthetic media ------------------------------------------------------


class MovingVideoTrack(VideoStreamTrack):
    """Colour bars that scroll sideways by a few pixels per frame, plus a
    block whose brightness follows the frame number: every frame differs, so
    a decoder that stalls is visible. 30 fps (aiortc's VideoStreamTrack clock)."""

    def __init__(self, width=320, height=240):
        super().__init__()
        x = numpy.arange(width, dtype=numpy.float32)
        bars = numpy.stack([
            127 + 127 * numpy.sin(2 * math.pi * x / width),
            127 + 127 * numpy.sin(2 * math.pi * x / width + 2.1),
            127 + 127 * numpy.sin(2 * math.pi * x / width + 4.2),
        ], axis=-1).astype(numpy.uint8)
        self._base = numpy.repeat(bars[numpy.newaxis, :, :], height, axis=0)
        self._count = 0
        self.frames_sent = 0

    async def recv(self):
        pts, time_base = await self.next_timestamp()
        image = numpy.roll(self._base, self._count * 4, axis=1)
        image[16:48, 16:48, :] = (self._count * 8) % 256
        self._count += 1
        frame = av.VideoFrame.from_ndarray(image, format="bgr24")
        frame.pts = pts
        frame.time_base = time_base
        self.frames_sent += 1
        return frame


class ToneAudioTrack(MediaStreamTrack):
    """A 440 Hz sine, mono 48 kHz, in 20 ms frames paced by the wall clock."""

    kind = "audio"
    RATE = 48000
    SAMPLES = 960  # 20 ms

    def __init__(self, frequency=440.0):
        super().__init__()
        self._frequency = frequency
        self._start = None
        self._timestamp = 0
        self.frames_sent = 0

    async def recv(self):
        if self.readyState != "live":
            raise MediaStreamError
        if self._start is None:
            self._start = time.time()
        else:
            self._timestamp += self.SAMPLES
            wait = self._start + self._timestamp / self.RATE - time.time()
            if wait > 0:
                await asyncio.sleep(wait)
        t = (numpy.arange(self.SAMPLES) + self._timestamp) / self.RATE
        samples = (0.3 * 32767 * numpy.sin(2 * math.pi * self._frequency * t)).astype(numpy.int16)
        frame = av.AudioFrame.from_ndarray(samples.reshape(1, -1), format="s16", layout="mono")
        frame.sample_rate = self.RATE
        frame.pts = self._timestamp
        frame.time_base = fractions.Fraction(1, self.RATE)
        self.frames_sent += 1
        return frame


# --- received media ---------------------------------------------------------


class TrackCounter:
    """What arrived on one remote track: frames decoded, and when."""

    def __init__(self, participant_id, kind, track_id):
        self.participant_id = participant_id
        self.kind = kind
        self.track_id = track_id
        self.frames = 0
        self.first_at = None
        self.last_at = None
        self.max_gap_s = 0.0  # longest wait between two frames
        self.width = None
        self.height = None
        self.ended = False

    def record(self, frame):
        now = time.monotonic()
        if self.last_at is not None:
            self.max_gap_s = max(self.max_gap_s, now - self.last_at)
        else:
            self.first_at = now
        self.last_at = now
        self.frames += 1
        if self.kind == "video":
            self.width, self.height = frame.width, frame.height

    def reset_gap(self):
        self.max_gap_s = 0.0


class MediaCounters:
    """Every remote track this client received, with its counter."""

    def __init__(self):
        self.tracks = []

    def frames(self, kind=None, participant_id=None):
        return sum(c.frames for c in self.tracks
                   if (kind is None or c.kind == kind) and
                   (participant_id is None or c.participant_id == participant_id))

    def counters(self, kind=None, participant_id=None):
        return [c for c in self.tracks
                if (kind is None or c.kind == kind) and
                (participant_id is None or c.participant_id == participant_id)]

    def summary(self):
        parts = []
        for c in self.tracks:
            size = " %dx%d" % (c.width, c.height) if c.width else ""
            parts.append("%s/%s %d frames%s" % (c.participant_id, c.kind, c.frames, size))
        return ", ".join(parts) or "nothing"


def http_request(port, source_ip, method, path, token=None, body=None, content_type="application/sdp"):
    """One plain HTTP request to 127.0.0.1:port from source_ip (tests give
    each request a loopback address of its own: the join rate is per
    address); returns (status, headers with lower-case names, body text)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=15, source_address=(source_ip, 0))
    headers = {}
    if token is not None:
        headers["Authorization"] = "Bearer " + token
    if body is not None:
        headers["Content-Type"] = content_type
    try:
        conn.request(method, path, body=body.encode() if body is not None else None, headers=headers)
        response = conn.getresponse()
        text = response.read().decode()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, text
    finally:
        conn.close()


def section_ssrcs(sdp):
    """mid -> the first a=ssrc of that m-section (the server's SSRC for it)."""
    out = {}
    for section in re.split(r"\r?\nm=", sdp)[1:]:
        mid = re.search(r"^a=mid:(\S+)", section, flags=re.M)
        ssrc = re.search(r"^a=ssrc:(\d+)", section, flags=re.M)
        if mid and ssrc:
            out[mid.group(1)] = int(ssrc.group(1))
    return out


def msid_owners(sdp):
    """track id -> stream id (the publisher's participant id), from a=msid lines."""
    owners = {}
    for stream_id, track_id in re.findall(r"^a=msid:(\S+) (\S+)\s*$", sdp, flags=re.M):
        owners[track_id] = stream_id
    return owners


# --- the client ---------------------------------------------------------------


class AegisClient:
    """One participant: a signaling WebSocket and two RTCPeerConnections.

    `messages` holds every server message in arrival order (`wait_for`
    searches it); `errors` the `error` messages; `participants` the room as
    the events describe it (id -> participant object)."""

    def __init__(self, url, *, origin=None, local_addr=None, label="aiortc", log=None, request_keyframes=True):
        self.url = url
        self.origin = origin
        self.local_addr = local_addr
        self.label = label
        self.log = log or (lambda text: print("  [%s] %s" % (label, text), flush=True))
        self.ws = None
        self.messages = []
        self.errors = []
        self.participants = {}
        self.names = {}  # participant id -> display name, for everyone ever seen (kept after they leave)
        self.participant_id = None
        self.room = None
        self.publisher = None
        self.subscriber = None
        self.media = MediaCounters()
        self.offers_answered = 0
        self.request_keyframes = request_keyframes
        self.keyframe_requests = 0
        self.subscriber_failures = []
        self._new_message = asyncio.Event()
        self._answer_waiters = []
        self._offers = asyncio.Queue()
        self._track_owner = {}
        self._ssrc_of_mid = {}
        self._tasks = []
        self._closed = False

    # -- signaling --

    async def connect(self):
        kwargs = {"compression": None, "max_size": 1 << 20, "open_timeout": 10}
        if self.origin:
            kwargs["origin"] = self.origin
        if self.local_addr:
            kwargs["local_addr"] = (self.local_addr, 0)
        self.ws = await websockets.connect(self.url, **kwargs)
        self._tasks.append(asyncio.ensure_future(self._read_loop()))
        self._tasks.append(asyncio.ensure_future(self._subscriber_loop()))
        if self.request_keyframes:
            self._tasks.append(asyncio.ensure_future(self._keyframe_loop()))
        return self

    async def send(self, fields):
        message = {"v": PROTOCOL_VERSION}
        message.update(fields)
        await self.ws.send(json.dumps(message))

    async def _read_loop(self):
        try:
            async for raw in self.ws:
                if not isinstance(raw, str):
                    continue
                try:
                    message = json.loads(raw)
                except ValueError:
                    self.log("unparsable server message %r" % raw[:80])
                    continue
                self._dispatch(message)
        except websockets.ConnectionClosed:
            pass
        finally:
            for waiter in self._answer_waiters:
                if not waiter.done():
                    waiter.set_exception(AegisError("connection_closed", "signaling closed"))
            self._answer_waiters = []
            self._new_message.set()

    def _dispatch(self, message):
        kind = message.get("type")
        self.messages.append(message)
        if kind == "joined":
            self.participant_id = message["participant_id"]
            self.room = message["room"]
            for p in message.get("participants", []):
                self.participants[p["id"]] = p
                self.names[p["id"]] = p.get("name", "")
        elif kind == "participant_joined":
            p = message["participant"]
            self.participants[p["id"]] = p
            self.names[p["id"]] = p.get("name", "")
        elif kind == "participant_left":
            self.participants.pop(message["participant_id"], None)
        elif kind == "track_published":
            p = self.participants.get(message["participant_id"])
            if p is not None:
                p.setdefault("tracks", []).append({"id": message["track_id"], "kind": message["kind"]})
        elif kind == "track_unpublished":
            p = self.participants.get(message["participant_id"])
            if p is not None:
                p["tracks"] = [t for t in p.get("tracks", []) if t["id"] != message["track_id"]]
        elif kind == "answer":
            if self._answer_waiters:
                self._answer_waiters.pop(0).set_result(message["sdp"])
        elif kind == "offer":
            self._offers.put_nowait(message["sdp"])
        elif kind == "error":
            error = AegisError(message.get("code"), message.get("message", ""), message.get("field"))
            self.errors.append(error)
            # Errors carry no request id; a refused publish is answered with one.
            if self._answer_waiters:
                self._answer_waiters.pop(0).set_exception(error)
            elif self.participant_id is not None:
                self.log("server error %s: %s" % (error.code, error.message))
        self._new_message.set()

    async def wait_for(self, predicate, timeout=REPLY_TIMEOUT_S, start=0):
        """The first message from index `start` on for which `predicate` holds."""
        deadline = time.monotonic() + timeout
        index = start
        while True:
            while index < len(self.messages):
                if predicate(self.messages[index]):
                    return self.messages[index]
                index += 1
            if self.closed:
                raise AegisError("connection_closed", "signaling closed while waiting")
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AegisError("timeout", "no matching message within %.1f s" % timeout)
            self._new_message.clear()
            try:
                await asyncio.wait_for(self._new_message.wait(), remaining)
            except asyncio.TimeoutError:
                pass

    @property
    def closed(self):
        return self.ws is None or self.ws.closed

    async def join(self, room, token, timeout=REPLY_TIMEOUT_S):
        """Sends `join`; returns `joined` or raises AegisError with the server's code."""
        start = len(self.messages)
        await self.send({"type": "join", "room": room, "token": token})
        reply = await self.wait_for(lambda m: m.get("type") in ("joined", "error"), timeout, start)
        if reply["type"] == "error":
            raise AegisError(reply.get("code"), reply.get("message", ""), reply.get("field"))
        return reply

    async def ping(self, seq=1, timeout=5.0):
        start = len(self.messages)
        await self.send({"type": "ping", "seq": seq})
        return await self.wait_for(lambda m: m.get("type") == "pong" and m.get("seq") == seq, timeout, start)

    # -- publisher --

    async def publish(self, tracks, timeout=REPLY_TIMEOUT_S):
        """Adds each track as a sendonly transceiver (VP8 or Opus only), sends
        the offer as `publish` and applies the server's `answer`."""
        if self.publisher is None:
            self.publisher = RTCPeerConnection()
        pc = self.publisher
        for track in tracks:
            transceiver = pc.addTransceiver(track, direction="sendonly")
            wanted = ACCEPTED_CODECS[track.kind]
            codecs = [c for c in RTCRtpSender.getCapabilities(track.kind).codecs if c.mimeType.lower() == wanted]
            transceiver.setCodecPreferences(codecs)
        await pc.setLocalDescription(await pc.createOffer())
        sdp = pc.localDescription.sdp
        if "a=group:BUNDLE" not in sdp:
            raise AegisError("bad_offer", "aiortc's offer has no BUNDLE group")
        if sdp.count("\na=ssrc:") < len(tracks):
            raise AegisError("bad_offer", "aiortc's offer lacks a=ssrc lines")
        waiter = asyncio.get_event_loop().create_future()
        self._answer_waiters.append(waiter)
        await self.send({"type": "publish", "sdp": sdp})
        try:
            answer = await asyncio.wait_for(waiter, timeout)
        except asyncio.TimeoutError:
            if waiter in self._answer_waiters:
                self._answer_waiters.remove(waiter)
            raise AegisError("timeout", "no answer to publish") from None
        await pc.setRemoteDescription(RTCSessionDescription(sdp=answer, type="answer"))
        return answer

    # -- subscriber --

    def _ensure_subscriber(self):
        if self.subscriber is not None:
            return self.subscriber
        pc = RTCPeerConnection()

        @pc.on("track")
        def on_track(track):
            owner = self._track_owner.get(track.id, "?")
            counter = TrackCounter(owner, track.kind, track.id)
            self.media.tracks.append(counter)
            self._tasks.append(asyncio.ensure_future(self._consume(track, counter)))

        self.subscriber = pc
        return pc

    async def _consume(self, track, counter):
        while True:
            try:
                frame = await track.recv()
            except MediaStreamError:
                counter.ended = True
                return
            except asyncio.CancelledError:
                raise
            counter.record(frame)

    async def _subscriber_loop(self):
        # One offer at a time, in arrival order (the server never sends the
        # next before our answer to the previous one anyway).
        while True:
            sdp = await self._offers.get()
            try:
                pc = self._ensure_subscriber()
                self._track_owner.update(msid_owners(sdp))
                self._ssrc_of_mid.update(section_ssrcs(sdp))
                await pc.setRemoteDescription(RTCSessionDescription(sdp=sdp, type="offer"))
                await pc.setLocalDescription(await pc.createAnswer())
                await self.send({"type": "subscribe_answer", "sdp": pc.localDescription.sdp})
                self.offers_answered += 1
            except websockets.ConnectionClosed:
                return
            except Exception as e:  # report, keep serving later offers
                self.subscriber_failures.append(repr(e))
                self.log("subscriber offer failed: %r" % e)

    async def _keyframe_loop(self):
        # A browser whose decoder has no keyframe asks for one (PLI); aiortc's
        # receiver only does when its jitter buffer overflows, and aiortc's
        # VP8 encoder makes a keyframe only at the start and on request. So a
        # subscriber that starts after the publisher's first keyframe would
        # never decode anything: ask, as a browser would, once a second per
        # video section that has not decoded a frame yet.
        while True:
            await asyncio.sleep(1.0)
            pc = self.subscriber
            if pc is None or pc.connectionState != "connected":
                continue
            for transceiver in pc.getTransceivers():
                track = transceiver.receiver.track
                ssrc = self._ssrc_of_mid.get(transceiver.mid)
                if transceiver.kind != "video" or track is None or ssrc is None:
                    continue
                if any(c.track_id == track.id and c.frames > 0 for c in self.media.tracks):
                    continue
                await transceiver.receiver._send_rtcp_pli(ssrc)
                self.keyframe_requests += 1

    # -- end --

    async def leave(self):
        """Sends `leave` (the server closes the socket), then closes everything."""
        if self.ws is not None and not self.ws.closed:
            try:
                await self.send({"type": "leave"})
                await asyncio.wait_for(self.ws.wait_closed(), 5)
            except (websockets.ConnectionClosed, asyncio.TimeoutError):
                pass
        await self.close()

    async def close(self):
        if self._closed:
            return
        self._closed = True
        if self.ws is not None:
            await self.ws.close()
        for pc in (self.publisher, self.subscriber):
            if pc is not None:
                await pc.close()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)


# --- command line: one participant ---------------------------------------------


async def run_participant(args):
    client = AegisClient(args.url, origin=args.origin, label=args.name)
    stop = asyncio.Event()
    loop = asyncio.get_event_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    failures = []
    video = audio = None
    try:
        await client.connect()
        joined = await client.join(args.room, args.token)
        print("%s: joined room %s as %s; %d others" % (args.name, joined["room"], joined["participant_id"],
                                                     len(joined["participants"])), flush=True)
        if args.publish:
            video, audio = MovingVideoTrack(args.width, args.height), ToneAudioTrack()
            await client.publish([video, audio])
            deadline = time.monotonic() + 15
            while client.publisher.connectionState != "connected" and time.monotonic() < deadline:
                await asyncio.sleep(0.1)
            print("%s: publisher connection %s" % (args.name, client.publisher.connectionState), flush=True)
            if client.publisher.connectionState != "connected":
                failures.append("publisher connection not connected")
        if args.ready_file:
            with open(args.ready_file, "w") as f:
                f.write(client.participant_id + "\n")
        try:
            await asyncio.wait_for(stop.wait(), args.max_seconds)
        except asyncio.TimeoutError:
            failures.append("not stopped within %d s" % args.max_seconds)
    except AegisError as e:
        failures.append("refused: %s" % e)
    except Exception as e:
        failures.append("error: %r" % e)
    finally:
        sent = ("sent %d video frames, %d audio frames; " % (video.frames_sent, audio.frames_sent)) if video else ""
        print("%s: %sreceived %s; %d subscriber offers answered, %d keyframe requests sent; server errors %s" % (
            args.name, sent, client.media.summary(), client.offers_answered, client.keyframe_requests,
            [e.code for e in client.errors] or "none"), flush=True)
        await client.leave()
    for name in args.expect_video_from:
        counters = [c for c in client.media.counters("video")
                    if client.names.get(c.participant_id) == name or c.participant_id == name]
        frames = sum(c.frames for c in counters)
        print("%s %s decodes video from %s: %d frames" % ("ok  " if frames >= 30 else "FAIL", args.name, name,
                                                          frames), flush=True)
        if frames < 30:
            failures.append("too few frames from %s" % name)
    if client.subscriber_failures:
        failures.append("subscriber negotiation failed: %s" % client.subscriber_failures)
    for f in failures:
        print("FAIL %s: %s" % (args.name, f), flush=True)
    return 1 if failures else 0


def main():
    parser = argparse.ArgumentParser(description="One Aegis participant (aiortc), until SIGTERM/SIGINT.")
    parser.add_argument("url", help="signaling URL, e.g. ws://127.0.0.1:18443/ws")
    parser.add_argument("--room", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--name", default="aiortc", help="label for the output")
    parser.add_argument("--origin", help="Origin header to send (as a page of that origin would)")
    parser.add_argument("--publish", action="store_true", help="publish a moving test picture and a tone")
    parser.add_argument("--width", type=int, default=320)
    parser.add_argument("--height", type=int, default=240)
    parser.add_argument("--ready-file", help="written (our participant id) once joined and publishing")
    parser.add_argument("--expect-video-from", action="append", default=[],
                        help="at the end, require >= 30 decoded frames from this participant (name or id)")
    parser.add_argument("--max-seconds", type=int, default=300, help="give up (and fail) after this long")
    return asyncio.run(run_participant(parser.parse_args()))


if __name__ == "__main__":
    sys.exit(main())

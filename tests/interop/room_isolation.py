#!/usr/bin/python3
"""Rooms are isolated (issue 9 item 5): a flood in one room does not slow a call in another.

Run through room_isolation.sh (inside run_in_netns.sh), which starts
`aegis serve` with its default number of media workers (one per core) and
mints the tokens:
    room_isolation.py PORT WORKERS CORES
with in the environment AEGIS_TOKEN_A_PUB, AEGIS_TOKEN_A_SUB (room A, the
call) and AEGIS_TOKENS_X (room X, space-separated, one identity each, for
the flood). WORKERS is the number of media workers the banner printed,
CORES the machine's (nproc). The room names matter: under the old pinning
(std::hash(name) % workers) "A" and "X" land on the same worker of two.

Two aiortc participants (aegis_client.py) hold a call in room A: one
publishes a moving picture (30 fps) and a tone, the other counts the frames
it decodes. After a 4 s baseline, another process floods room X for
FLOOD_S seconds, every connection at its rate limit and each from an
address of its own (127.0.2.x):
  - track churn: 6 participants publish a new camera (fresh SSRC), end it,
    publish the next, ... 4 offers a second each (the server allows one new
    track a second, burst 8; the rest get rate_limited or too_many_tracks);
  - MLS relay: 4 E2EE participants (KeyPackages from make_key_package.mjs,
    files named in AEGIS_KEY_PACKAGES_X) form the room's MLS group (the
    first creates it and commits adding the other three: MLS framing the
    server reads, placeholder secrets it cannot tell from real ones), then
    each sends 4 KiB mls_app messages at 10 a second (the message limit),
    every one relayed to the 3 others;
  - signaling: 6 participants send 12 pings a second (limit 10/s);
  every flood connection reads everything the server sends it.
Checks: room A and room X are on different workers (their answers' ICE
candidate ports) when the machine has two cores or more; the flood really ran (answers,
rate_limited refusals, relayed MLS messages, pongs counted); the subscriber in A
decodes at least 85 % of its baseline video frame rate (and at least 20
fps) and 85 % of its audio rate over the flood, every second of it at least
half, with no gap over 0.5 s; and both A participants still answer ping and
got no error.
Prints one line per check, then `room isolation: N passed, N failed`.
"""
import asyncio
import base64
import json
import os
import re
import struct
import sys
import time

import websockets

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from aegis_client import AegisClient, AegisError, MovingVideoTrack, ToneAudioTrack  # noqa: E402

PORT = sys.argv[1] if len(sys.argv) > 1 else "18600"
URL = "ws://127.0.0.1:%s/ws" % PORT
FLOOD_S = 10
BASELINE_S = 4
FINGERPRINT = ("sha-256 4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B:19:E5:7C:AB:3C:5E:31:F7:B3:A6:50:C5:"
               "F3:F8:2C:79")

passed = 0
failed = 0


def check(name, ok, detail):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
    print("%s %s: %s" % ("ok  " if ok else "FAIL", name, detail), flush=True)


def msg(**fields):
    out = {"v": 2}
    out.update(fields)
    return json.dumps(out)


def candidate_ports(sdp):
    return sorted({int(m.group(1)) for m in re.finditer(r"a=candidate:\S+ \d+ udp \d+ \S+ (\d+) typ", sdp)})


def churn_offer(version, ssrc, live):
    """A browser-like publisher offer with one video section: live (sendonly,
    a fresh SSRC) or ended (inactive). Same ICE credentials every time (no ICE
    restart), the session version counting up."""
    direction = "sendonly" if live else "inactive"
    sdp = ("v=0\r\no=- 4611731400430051337 %d IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\n"
           "a=msid-semantic: WMS s\r\n"
           "m=video 9 UDP/TLS/RTP/SAVPF 96\r\nc=IN IP4 0.0.0.0\r\n"
           "a=ice-ufrag:Fl0d\r\na=ice-pwd:w3Ls9Kd2Jf8Hg5Tb1Nc6Rx4V\r\n"
           "a=fingerprint:%s\r\na=setup:actpass\r\na=mid:0\r\n"
           "a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid\r\na=%s\r\n" % (version, FINGERPRINT, direction))
    if live:
        sdp += "a=msid:s cam%d\r\n" % ssrc
    sdp += "a=rtcp-mux\r\na=rtcp-rsize\r\na=rtpmap:96 VP8/90000\r\na=rtcp-fb:96 nack pli\r\n"
    if live:
        sdp += "a=ssrc:%d cname:c\r\n" % ssrc
    return sdp


# --- MLS framing (RFC 9420 §6), what the server reads of a relayed message -------


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def mls_vector(data):
    """opaque<V>: a variable-length integer length (RFC 9420 §2.1.2), then the bytes."""
    n = len(data)
    if n < 1 << 6:
        prefix = struct.pack(">B", n)
    elif n < 1 << 14:
        prefix = struct.pack(">H", 0x4000 | n)
    else:
        prefix = struct.pack(">I", 0x80000000 | n)
    return prefix + data


MLS10 = 1
WIRE_PRIVATE_MESSAGE, WIRE_WELCOME = 2, 3
CONTENT_APPLICATION, CONTENT_COMMIT = 1, 3


def private_message(group_id, epoch, content_type, size):
    """A PrivateMessage: group, epoch and content type in the clear, random
    sender data and ciphertext (only the members could tell)."""
    return (struct.pack(">HH", MLS10, WIRE_PRIVATE_MESSAGE) + mls_vector(group_id) + struct.pack(">QB", epoch, content_type)
            + mls_vector(b"") + mls_vector(os.urandom(28)) + mls_vector(os.urandom(size)))


def welcome(suite, new_members):
    """A Welcome: the suite, one EncryptedGroupSecrets per new member, the encrypted GroupInfo."""
    secrets = b"".join(mls_vector(os.urandom(32)) + mls_vector(os.urandom(32)) + mls_vector(os.urandom(48))
                       for _ in range(new_members))
    return (struct.pack(">HHH", MLS10, WIRE_WELCOME, suite) + mls_vector(secrets) + mls_vector(os.urandom(200)))


async def until_type(ws, kind, seconds=10):
    """Reads `ws` until a message of type `kind` (others are dropped); returns it."""
    deadline = time.monotonic() + seconds
    while True:
        m = json.loads(await asyncio.wait_for(ws.recv(), max(0.1, deadline - time.monotonic())))
        if m.get("type") == kind:
            return m
        if m.get("type") == "error":
            raise RuntimeError("waiting for %s: %s" % (kind, m))


# --- the flood (its own process, so it does not share the call's event loop) ---


async def flood(seconds):
    # The flood's own CPU must not starve the call's clients on a small
    # machine (the server is what is measured, not this test's Python).
    os.nice(5)
    tokens = os.environ.get("AEGIS_TOKENS_X", "").split()
    roles = ["churn"] * 6 + ["mls"] * 4 + ["pings"] * 6
    if len(tokens) < len(roles):
        print(json.dumps({"error": "need %d room-X tokens, got %d" % (len(roles), len(tokens))}))
        return 1
    # One KeyPackage per MLS participant, for its token's identity and name.
    key_packages = [f for f in os.environ.get("AEGIS_KEY_PACKAGES_X", "").split(":") if f]
    if len(key_packages) != roles.count("mls"):
        print(json.dumps({"error": "need %d KeyPackage files in AEGIS_KEY_PACKAGES_X, got %d"
                          % (roles.count("mls"), len(key_packages))}))
        return 1
    counts = {}
    ports = set()
    sockets = []
    group = {}  # the MLS group: its id, suite and members (creator first)

    def count(key, n=1):
        counts[key] = counts.get(key, 0) + n

    for i, role in enumerate(roles):
        ws = await websockets.connect(URL, local_addr=("127.0.2.%d" % (i + 1), 0), compression=None,
                                      max_size=1 << 20, open_timeout=10)
        join = {"type": "join", "room": "X", "token": tokens[i]}
        if role == "mls":
            with open(key_packages[len(group.get("members", []))], "rb") as f:
                join.update(e2ee=True, key_package=b64url(f.read()))
        await ws.send(msg(**join))
        joined = json.loads(await asyncio.wait_for(ws.recv(), 10))
        if joined.get("type") != "joined":
            print(json.dumps({"error": "flood participant %d not joined: %s" % (i, joined)}))
            return 1
        if role == "mls":
            if joined["mls"]["create"]:
                group.update(id=base64.urlsafe_b64decode(joined["mls"]["group_id"] + "=="),
                             suite=joined["mls"]["suite"], members=[])
            group["members"].append((joined["participant_id"], ws))
        sockets.append((role, ws))

    # The creator adds the other three (epoch 0 -> 1); each waits for its
    # Welcome, so that every mls_app below comes from a member.
    try:
        (_, creator), joiners = group["members"][0], group["members"][1:]
        await creator.send(msg(type="mls_commit", epoch=0,
                               commit=b64url(private_message(group["id"], 0, CONTENT_COMMIT, 3000)),
                               welcome=b64url(welcome(group["suite"], len(joiners))),
                               added=[pid for pid, _ in joiners]))
        await until_type(creator, "mls_commit")
        for _, ws in joiners:
            await until_type(ws, "mls_welcome")
    except (KeyError, RuntimeError, asyncio.TimeoutError) as e:
        print(json.dumps({"error": "the flood's MLS group did not form: %r" % (e,)}))
        return 1

    end = time.monotonic() + seconds
    print("flooding", flush=True)  # every flood participant has joined

    async def reader(ws):
        try:
            async for raw in ws:
                m = json.loads(raw)
                kind = m.get("type")
                count("received " + kind + ((" " + m.get("code", "")) if kind == "error" else ""))
                if kind == "answer":
                    ports.update(candidate_ports(m.get("sdp", "")))
        except websockets.ConnectionClosed:
            count("closed")

    async def churn(ws, index):
        version, ssrc, live = 2, 700000 + index * 10000, True
        while time.monotonic() < end:
            ssrc += 1 if live else 0
            await ws.send(msg(type="publish", sdp=churn_offer(version, ssrc, live)))
            count("sent publish")
            version += 1
            live = not live
            await asyncio.sleep(0.25)

    async def mls(ws, index):
        while time.monotonic() < end:
            message = private_message(group["id"], 1, CONTENT_APPLICATION, 4096)
            await ws.send(msg(type="mls_app", epoch=1, message=b64url(message)))
            count("sent mls_app")
            await asyncio.sleep(1 / 10)

    async def pings(ws, index):
        seq = 0
        while time.monotonic() < end:
            seq += 1
            await ws.send(msg(type="ping", seq=seq))
            count("sent ping")
            await asyncio.sleep(1 / 12)

    readers = [asyncio.ensure_future(reader(ws)) for _, ws in sockets]
    work = {"churn": churn, "mls": mls, "pings": pings}
    try:
        await asyncio.gather(*(work[role](ws, i) for i, (role, ws) in enumerate(sockets)))
    except websockets.ConnectionClosed:
        count("closed while sending")
    await asyncio.sleep(0.5)  # the last replies
    for _, ws in sockets:
        await ws.close()
    await asyncio.gather(*readers, return_exceptions=True)
    print(json.dumps({"counts": counts, "answer_ports": sorted(ports)}), flush=True)
    return 0


# --- the call -----------------------------------------------------------------------


def rate_windows(samples, start, end, index):
    """Frames per 1 s window between start and end, from (t, video, audio) samples."""
    out = []
    t = start
    while t + 1.0 <= end + 1e-6:
        inside = [s for s in samples if t <= s[0] <= t + 1.0]
        if len(inside) >= 2:
            out.append(inside[-1][index] - inside[0][index])
        t += 1.0
    return out


async def main(workers, cores):
    pub = AegisClient(URL, label="publisher")
    sub = AegisClient(URL, label="subscriber")
    try:
        await sub.connect()
        await sub.join("A", os.environ["AEGIS_TOKEN_A_SUB"])
        await pub.connect()
        await pub.join("A", os.environ["AEGIS_TOKEN_A_PUB"])
        await pub.publish([MovingVideoTrack(320, 240), ToneAudioTrack()])
    except (AegisError, KeyError) as e:
        check("the room-A call starts", False, "refused: %r" % e)
        return 1
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and (sub.media.frames("video") < 60 or sub.media.frames("audio") < 100):
        await asyncio.sleep(0.1)
    check("the room-A call starts", sub.media.frames("video") >= 60 and sub.media.frames("audio") >= 100,
          "the subscriber decoded %s" % sub.media.summary())
    if failed:
        await sub.close()
        await pub.close()
        return 1
    a_ports = candidate_ports(pub.publisher.remoteDescription.sdp)

    samples = []

    async def sample():
        while True:
            samples.append((time.monotonic(), sub.media.frames("video"), sub.media.frames("audio")))
            await asyncio.sleep(0.05)

    sampler = asyncio.ensure_future(sample())
    t0 = time.monotonic()
    await asyncio.sleep(BASELINE_S)
    t1 = time.monotonic()
    v_base = (sub.media.frames("video") - samples[0][1]) / (t1 - t0)
    a_base = (sub.media.frames("audio") - samples[0][2]) / (t1 - t0)
    for c in sub.media.tracks:
        c.reset_gap()

    proc = await asyncio.create_subprocess_exec(sys.executable, os.path.abspath(__file__), PORT, str(workers),
                                                "--flood", str(FLOOD_S), stdout=asyncio.subprocess.PIPE,
                                                stderr=asyncio.subprocess.STDOUT)
    # The window starts when every flood participant has joined ("flooding").
    lines = []
    f0 = f1 = None
    try:
        async def read_lines():
            nonlocal f0
            while True:
                line = await proc.stdout.readline()
                if not line:
                    break
                lines.append(line.decode(errors="replace").strip())
                if lines[-1] == "flooding":
                    f0 = time.monotonic()
            await proc.wait()
        await asyncio.wait_for(read_lines(), FLOOD_S + 40)
    except asyncio.TimeoutError:
        proc.kill()
        lines.append('{"error": "the flood did not finish"}')
    f1 = time.monotonic()
    f0 = f0 or f1
    sampler.cancel()
    try:
        summary = json.loads(lines[-1])
    except (ValueError, IndexError):
        summary = {"error": " / ".join(lines[-3:]) or "no output"}
    counts = summary.get("counts", {})
    x_ports = summary.get("answer_ports", [])

    if cores >= 2:
        check("room A and room X are on different media workers",
              bool(a_ports and x_ports and set(a_ports).isdisjoint(x_ports)),
              "%d workers; room A's answer names UDP port %s, room X's %s" % (workers, a_ports, x_ports))
    else:
        check("one core: one media worker holds both rooms", a_ports == x_ports,
              "room A's answer names UDP port %s, room X's %s" % (a_ports, x_ports))

    answers = counts.get("received answer", 0)
    limited = sum(n for k, n in counts.items() if k in ("received error rate_limited", "received error too_many_tracks"))
    relayed = counts.get("received mls_app", 0)
    pongs = counts.get("received pong", 0)
    check("room X was flooded at the rate limits",
          "error" not in summary and answers >= 6 * FLOOD_S * 0.5 and limited > 0 and relayed >= 4 * 3 * 9 * FLOOD_S * 0.8
          and pongs >= 6 * 9 * FLOOD_S * 0.8 and counts.get("closed", 0) == 0,
          "over %.1f s: %s" % (f1 - f0, summary.get("error") or json.dumps(counts, sort_keys=True)))

    # The whole time the flood sends (the last 0.5 s of f0..f1 only collects replies).
    w0, w1 = f0, min(f1, f0 + FLOOD_S)
    inside = [s for s in samples if w0 <= s[0] <= w1]
    if len(inside) < 2:
        check("the room-A call keeps its frame rate during the flood", False, "no samples in the window")
    else:
        span = inside[-1][0] - inside[0][0]
        v_rate = (inside[-1][1] - inside[0][1]) / span
        a_rate = (inside[-1][2] - inside[0][2]) / span
        v_windows = rate_windows(samples, w0, w1, 1)
        video_gap = max((c.max_gap_s for c in sub.media.counters("video")), default=99)
        audio_gap = max((c.max_gap_s for c in sub.media.counters("audio")), default=99)
        check("the room-A call keeps its frame rate during the flood",
              v_rate >= 0.85 * v_base and v_rate >= 20 and a_rate >= 0.85 * a_base and
              min(v_windows, default=0) >= v_base / 2 and video_gap <= 0.5 and audio_gap <= 0.5,
              "baseline %.1f video / %.1f audio frames/s; during the flood %.1f / %.1f over %.1f s; video frames per "
              "second %s; longest wait between video frames %.0f ms, audio %.0f ms" % (
                  v_base, a_base, v_rate, a_rate, span, v_windows, video_gap * 1000, audio_gap * 1000))

    alive = []
    for c in (pub, sub):
        try:
            alive.append((await c.ping(seq=9))["type"] == "pong")
        except AegisError:
            alive.append(False)
    check("the room-A participants were never disturbed",
          all(alive) and not pub.errors and not sub.errors and sub.subscriber.connectionState == "connected",
          "ping -> pong %s; errors %s / %s" % (alive, [e.code for e in pub.errors], [e.code for e in sub.errors]))
    await sub.close()
    await pub.close()
    print("room isolation: %d passed, %d failed" % (passed, failed), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    if "--flood" in sys.argv:
        sys.exit(asyncio.run(flood(float(sys.argv[sys.argv.index("--flood") + 1]))))
    sys.exit(asyncio.run(main(int(sys.argv[2]) if len(sys.argv) > 2 else 1,
                              int(sys.argv[3]) if len(sys.argv) > 3 else os.cpu_count() or 1)))

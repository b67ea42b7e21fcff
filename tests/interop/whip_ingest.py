#!/usr/bin/python3
"""WHIP ingest (RFC 9725) against the running server, with aiortc as the
WHIP client and an aiortc participant on the WebSocket protocol as viewer.

Run through whip_ingest.sh (inside run_in_netns.sh), which starts `aegis
serve` (--token-leeway 0; room E has `--e2ee required`) and exports AEGIS_BIN
and AEGIS_DATA so this script mints its own tokens:
    whip_ingest.py PORT
Checks, each with its exact outcome:
  1. missing, forged and expired bearer tokens, and a token for another
     room: 401 with WWW-Authenticate: Bearer, and no participant appears;
  2. room E (E2EE required): 403 saying the room requires end-to-end
     encryption; nobody appears;
  3. aiortc POSTs its offer (audio + video) to /whip/W: 201, application/sdp
     answer, Location; the viewer sees participant_joined with the token's
     name and both tracks, and decodes the video (>= 60 frames, the test
     picture's size) and the audio (>= 100 frames);
  4. PATCH on the session: 405;
  5. DELETE with another token: 401, the session stays; DELETE with its own
     token: 200, the viewer sees participant_left within 2 s, and a second
     DELETE is 404;
  6. a session whose media never connects (an offer whose ICE never runs) is
     removed by the server after the connection deadline (30 s): the viewer
     sees participant_left within 40 s and its DELETE is then 404;
  7. (run before 6) Chromium decodes a WHIP publisher: a second aiortc WHIP
     session into room P, where the demo app's page (chromium_decodes_aiortc.mjs)
     lists exactly it, by id and name, and keeps decoding its video (the test
     picture's size, moving) and receiving its audio.
Prints one line per check and `whip_ingest: N passed, N failed`.
"""
import asyncio
import os
import subprocess
import sys
import time

from aiortc import RTCPeerConnection, RTCRtpSender, RTCSessionDescription

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from aegis_client import AegisClient, MovingVideoTrack, ToneAudioTrack, http_request  # noqa: E402

PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 18449
AEGIS = os.environ.get("AEGIS_BIN", "")
DATA = os.environ.get("AEGIS_DATA", "")
ACCEPTED_CODECS = {"video": "video/vp8", "audio": "audio/opus"}

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


def mint(room, identity, name, ttl="10m"):
    args = [AEGIS, "token", "create", "--data", DATA, "--room", room, "--identity", identity, "--name", name,
            "--ttl", ttl]
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout.strip()


def request(method, path, token=None, body=None, content_type="application/sdp"):
    """One HTTP request from a loopback address of its own (the join rate
    limit is per address); returns (status, headers dict, body text)."""
    global next_source
    next_source += 1
    return http_request(PORT, "127.0.4.%d" % next_source, method, path, token, body, content_type)


async def whip_http(method, path, token=None, body=None, content_type="application/sdp"):
    return await asyncio.to_thread(request, method, path, token, body, content_type)


async def whip_offer(tracks):
    """An aiortc publisher connection with sendonly VP8/Opus sections and its offer."""
    pc = RTCPeerConnection()
    for track in tracks:
        transceiver = pc.addTransceiver(track, direction="sendonly")
        wanted = ACCEPTED_CODECS[track.kind]
        transceiver.setCodecPreferences(
            [c for c in RTCRtpSender.getCapabilities(track.kind).codecs if c.mimeType.lower() == wanted])
    await pc.setLocalDescription(await pc.createOffer())
    return pc, pc.localDescription.sdp


async def wait(predicate, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        await asyncio.sleep(0.05)
    return predicate()


async def main():
    viewer = AegisClient("ws://127.0.0.1:%d/ws" % PORT, label="viewer")
    await viewer.connect()
    await viewer.join("W", mint("W", "viewer", "Viewer"))
    print("viewer joined room W", flush=True)

    def others():
        return dict(viewer.participants)

    # 1. token failures: 401, nothing created.
    video, audio = MovingVideoTrack(320, 240), ToneAudioTrack()
    pc, offer = await whip_offer([video, audio])
    good = mint("W", "obs", "OBS Studio")
    forged = good[:-4] + ("AAAA" if not good.endswith("AAAA") else "BBBB")
    expired = mint("W", "late", "Late", ttl="1s")
    await asyncio.sleep(2.5)
    for label, token in (("missing", None), ("forged", forged), ("expired", expired),
                         ("other room", mint("X", "obs", "OBS Studio"))):
        status, headers, body = await whip_http("POST", "/whip/W", token, offer)
        check("token %s" % label, status == 401 and headers.get("www-authenticate", "").startswith("Bearer"),
              "%d, WWW-Authenticate %r" % (status, headers.get("www-authenticate")))
    await asyncio.sleep(0.5)
    check("nothing created", not others() and not any(m.get("type") == "participant_joined" for m in viewer.messages),
          "participants seen by the viewer: %d" % len(others()))

    # 2. E2EE-required room.
    status, _, body = await whip_http("POST", "/whip/E", mint("E", "obs", "OBS Studio"), offer)
    check("e2ee room refused", status == 403 and "requires end-to-end encryption" in body,
          "%d %s" % (status, body.strip()))

    # 3. publish.
    status, headers, answer = await whip_http("POST", "/whip/W", good, offer)
    location = headers.get("location", "")
    check("created", status == 201 and headers.get("content-type") == "application/sdp" and
          location.startswith("/whip/W/") and answer.startswith("v=0"),
          "%d %s Location %s" % (status, headers.get("content-type"), location))
    if status != 201:
        print(answer)
        return
    await pc.setRemoteDescription(RTCSessionDescription(sdp=answer, type="answer"))
    joined = await wait(lambda: any(len(p.get("tracks", [])) == 2 for p in others().values()), 10)
    whip_id = next((pid for pid, p in others().items()), None)
    participant = others().get(whip_id, {})
    kinds = sorted(t["kind"] for t in participant.get("tracks", []))
    check("participant_joined", joined and participant.get("name") == "OBS Studio" and kinds == ["audio", "video"],
          "name %r, tracks %s" % (participant.get("name"), kinds))
    decoded = await wait(lambda: viewer.media.frames("video", whip_id) >= 60 and
                         viewer.media.frames("audio", whip_id) >= 100, 30)
    sizes = {(c.width, c.height) for c in viewer.media.counters("video", whip_id)}
    check("viewer decodes", decoded and (320, 240) in sizes,
          "%s (sent %d video, %d audio frames)" % (viewer.media.summary(), video.frames_sent, audio.frames_sent))

    # 4. PATCH.
    status, headers, body = await whip_http("PATCH", location, good, "a=ice-ufrag:abcd\r\n",
                                       "application/trickle-ice-sdpfrag")
    check("patch 405", status == 405, "%d Allow %r %s" % (status, headers.get("allow"), body.strip()))

    # 5. DELETE.
    status, _, _ = await whip_http("DELETE", location, mint("W", "someone", "Someone"))
    check("delete with another token", status == 401 and whip_id in others(), "%d" % status)
    start = time.monotonic()
    status, _, _ = await whip_http("DELETE", location, good)
    left = await wait(lambda: any(m.get("type") == "participant_left" and m.get("participant_id") == whip_id
                                  for m in viewer.messages), 2)
    check("delete", status == 200 and left, "%d, participant_left after %.2f s" % (status, time.monotonic() - start))
    status, _, _ = await whip_http("DELETE", location, good)
    check("delete again", status == 404, "%d" % status)
    await pc.close()

    # 7. Chromium decodes a WHIP publisher: the demo app's page in room P
    # (chromium_decodes_aiortc.mjs, which wants to see exactly that one
    # participant; a probe learns its id from `joined` and leaves first).
    pc3, offer3 = await whip_offer([MovingVideoTrack(320, 240), ToneAudioTrack()])
    token3 = mint("P", "obs-p", "OBS P")
    status, headers, answer3 = await whip_http("POST", "/whip/P", token3, offer3)
    location3 = headers.get("location", "")
    if status == 201:
        await pc3.setRemoteDescription(RTCSessionDescription(sdp=answer3, type="answer"))
        probe = AegisClient("ws://127.0.0.1:%d/ws" % PORT, label="probe")
        await probe.connect()
        listed = (await probe.join("P", mint("P", "probe", "Probe"))).get("participants", [])
        await probe.leave()
        env = dict(os.environ, AEGIS_TOKEN_CHROMIUM=mint("P", "chromium", "Chromium"),
                   AEGIS_AIORTC_ID=listed[0]["id"] if listed else "", AEGIS_AIORTC_NAME="OBS P",
                   AEGIS_AIORTC_WIDTH="320", AEGIS_AIORTC_HEIGHT="240")
        script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "chromium_decodes_aiortc.mjs")
        proc = await asyncio.create_subprocess_exec(os.environ.get("NODE", "node"), script,
                                                    "http://127.0.0.1:%d" % PORT, env=env)
        code = await proc.wait()
        check("chromium decodes the WHIP publisher", code == 0 and len(listed) == 1,
              "chromium_decodes_aiortc.mjs exit %d, participants listed to the probe %d" % (code, len(listed)))
        status, _, _ = await whip_http("DELETE", location3, token3)
    else:
        check("chromium decodes the WHIP publisher", False, "POST %d" % status)
    await pc3.close()

    # 6. media that never connects.
    pc2, offer2 = await whip_offer([MovingVideoTrack(160, 120)])
    await pc2.close()  # its ICE never runs
    seen = len(viewer.messages)
    ghost_token = mint("W", "ghost", "Ghost")
    status, headers, _ = await whip_http("POST", "/whip/W", ghost_token, offer2)
    location2 = headers.get("location", "")
    check("ghost created", status == 201, "%d" % status)
    ghost = await wait(lambda: any(m.get("type") == "participant_joined" for m in viewer.messages[seen:]), 5)
    ghost_id = next((m["participant"]["id"] for m in viewer.messages[seen:] if m.get("type") == "participant_joined"),
                    None)
    start = time.monotonic()
    removed = ghost and await wait(lambda: any(m.get("type") == "participant_left" and
                                               m.get("participant_id") == ghost_id for m in viewer.messages[seen:]),
                                   40)
    status, _, _ = await whip_http("DELETE", location2, ghost_token)
    check("never connected: removed", removed and status == 404,
          "participant_left after %.1f s, then DELETE %d" % (time.monotonic() - start, status))
    await viewer.leave()


if __name__ == "__main__":
    asyncio.run(main())
    print("whip_ingest: %d passed, %d failed" % (passed, failed), flush=True)
    sys.exit(1 if failed else 0)

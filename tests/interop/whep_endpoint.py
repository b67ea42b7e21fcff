#!/usr/bin/python3
"""The WHEP endpoint against the running server (whep_endpoint.sh, inside
run_in_netns.sh; AEGIS_BIN and AEGIS_DATA exported for minting tokens):
    whep_endpoint.py PORT
An aiortc viewer's recvonly audio+video offer is POSTed to /whep/V while an
aiortc participant on the WebSocket protocol publishes into room V. Checks:
  1. missing and forged bearer tokens, and a token for another room: 401
     with WWW-Authenticate: Bearer;
  2. a token without the subscribe grant: 403 (insufficient_scope);
  3. room E (E2EE required): 403 saying WHEP cannot do end-to-end encryption;
  4. PATCH on a session URL: 405; GET on the endpoint: 405;
  5. a valid viewer token: 501 (playback not implemented yet), no Location,
     and the publisher sees no participant appear.
Prints one line per check and `whep_endpoint: N passed, N failed`.
"""
import asyncio
import http.client
import os
import subprocess
import sys

from aiortc import RTCPeerConnection

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from aegis_client import AegisClient, MovingVideoTrack, ToneAudioTrack  # noqa: E402

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
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=15,
                                      source_address=("127.0.5.%d" % next_source, 0))
    headers = {}
    if token is not None:
        headers["Authorization"] = "Bearer " + token
    if body is not None:
        headers["Content-Type"] = content_type
    conn.request(method, path, body=body.encode() if body is not None else None, headers=headers)
    response = conn.getresponse()
    text = response.read().decode()
    result = (response.status, {k.lower(): v for k, v in response.getheaders()}, text)
    conn.close()
    return result


async def http_(method, path, token=None, body=None):
    return await asyncio.to_thread(request, method, path, token, body)


async def main():
    publisher = AegisClient("ws://127.0.0.1:%d/ws" % PORT, label="publisher")
    await publisher.connect()
    await publisher.join("V", mint("V", "cam", "--name", "Camera"))
    await publisher.publish([MovingVideoTrack(320, 240), ToneAudioTrack()])

    pc = RTCPeerConnection()
    pc.addTransceiver("audio", direction="recvonly")
    pc.addTransceiver("video", direction="recvonly")
    await pc.setLocalDescription(await pc.createOffer())
    offer = pc.localDescription.sdp

    viewer = mint("V", "viewer", "--no-publish")
    forged = viewer[:-4] + ("AAAA" if not viewer.endswith("AAAA") else "BBBB")
    for label, token in (("missing", None), ("forged", forged), ("other room", mint("X", "viewer", "--no-publish"))):
        status, headers, body = await http_("POST", "/whep/V", token, offer)
        check("401 " + label, status == 401 and headers.get("www-authenticate", "").startswith("Bearer"),
              "%d %s" % (status, headers.get("www-authenticate")))

    status, headers, body = await http_("POST", "/whep/V", mint("V", "pub-only", "--no-subscribe"), offer)
    check("403 without subscribe", status == 403 and "insufficient_scope" in headers.get("www-authenticate", ""),
          "%d %s" % (status, body.strip()))

    status, headers, body = await http_("POST", "/whep/E", mint("E", "viewer", "--no-publish"), offer)
    check("403 E2EE room", status == 403 and "WHEP cannot do" in body, "%d %s" % (status, body.strip()))

    status, headers, body = await http_("PATCH", "/whep/V/abc", viewer, "a=x\r\n")
    check("405 PATCH", status == 405 and headers.get("allow") == "DELETE, OPTIONS", "%d" % status)
    status, headers, body = await http_("GET", "/whep/V")
    check("405 GET", status == 405, "%d" % status)

    before = dict(publisher.participants)
    status, headers, body = await http_("POST", "/whep/V", viewer, offer)
    await asyncio.sleep(1.0)
    check("501 admitted viewer", status == 501 and "location" not in headers
          and "not implemented" in body and dict(publisher.participants) == before,
          "%d %s; participants seen by the publisher: %d" % (status, body.strip(), len(publisher.participants)))

    await pc.close()
    await publisher.close()
    print("whep_endpoint: %d passed, %d failed" % (passed, failed), flush=True)
    return 1 if failed else 0


sys.exit(asyncio.run(main()))

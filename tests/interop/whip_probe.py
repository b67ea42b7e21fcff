#!/usr/bin/env python3
"""Waits for a named participant with an audio and a video track in a room:
   whip_probe.py PORT ROOM TOKEN NAME SECONDS
joins ROOM on the WebSocket protocol (aegis_client.py) with TOKEN, watches
the participant list until NAME appears with both kinds of track, prints
its participant id and leaves; exits 1 if that did not happen in SECONDS.
"""
import asyncio
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from aegis_client import AegisClient  # noqa: E402


async def main():
    port, room, token, name, seconds = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], float(sys.argv[5])
    probe = AegisClient("ws://127.0.0.1:%s/ws" % port, label="probe",
                        log=lambda text: print("  [probe] %s" % text, file=sys.stderr, flush=True))
    await probe.connect()
    await probe.join(room, token)
    deadline = time.monotonic() + seconds
    found = None
    while time.monotonic() < deadline and not found:
        for pid, p in dict(probe.participants).items():
            kinds = sorted(t.get("kind") for t in p.get("tracks", []))
            if p.get("name") == name and kinds == ["audio", "video"]:
                found = pid
        if not found:
            await asyncio.sleep(0.2)
    await probe.leave()
    if not found:
        print("whip_probe: no %r with audio and video in room %s within %.0f s; saw %r"
              % (name, room, seconds, dict(probe.participants)), file=sys.stderr)
        return 1
    print(found)
    return 0


sys.exit(asyncio.run(main()))

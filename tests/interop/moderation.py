#!/usr/bin/python3
"""Token lifecycle and moderation against the running server.

Run through moderation.sh (inside run_in_netns.sh), which starts `aegis
serve` (--token-leeway 0; room L has `--lobby on`) and exports AEGIS_BIN and
AEGIS_DATA so this script mints its own tokens with `aegis token create` and
revokes with `aegis token revoke`:
    moderation.py PORT
Checks, each with its exact outcome on the wire:
  1. the same identity joining again replaces the old session (replaced);
  2. room_admin requests without the grant are forbidden;
  3. an admin's kick (kicked, socket closed, the others told), mute (every
     member told, the late joiner sees it in joined), lock (room_locked for a
     new joiner, an admin still enters), end (room_ended for everyone);
  4. the lobby: a joiner waits (lobby), the admin sees it (lobby_joined),
     admit lets it in (joined), deny ends another (denied);
  5. a token expiring during the call: token_expiring, then token_expired
     and the socket closed; a session that sent `refresh` with a fresh token
     stays; a refresh with another identity's token is unauthorized;
  6. `aegis token revoke --identity` ends the live session within 1 s
     (revoked) and the same token is refused afterwards; `--jti` likewise.
Prints one line per check and `moderation: N passed, N failed`.
"""
import asyncio
import base64
import json
import os
import subprocess
import sys
import time

import websockets

PORT = sys.argv[1] if len(sys.argv) > 1 else "18447"
URL = "ws://127.0.0.1:%s/ws" % PORT
ORIGIN = "http://127.0.0.1:%s" % PORT
AEGIS = os.environ.get("AEGIS_BIN", "")
DATA = os.environ.get("AEGIS_DATA", "")
WAIT_S = 5.0

passed = 0
failed = 0


def check(name, ok, detail):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
    print("%s %s: %s" % ("ok  " if ok else "FAIL", name, detail), flush=True)


def mint(room, identity, ttl="10m", admin=False):
    args = [AEGIS, "token", "create", "--data", DATA, "--room", room, "--identity", identity, "--ttl", ttl]
    if admin:
        args.append("--admin")
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout.strip()


def jti_of(token):
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))["jti"]


class Peer:
    """One signaling connection that records everything it receives."""

    next_source = 0

    def __init__(self, label):
        self.label = label
        self.ws = None
        self.messages = []
        self.closed_at = None
        self.task = None

    async def connect(self):
        # Each peer from a loopback address of its own: the server's join
        # rate limit is per address, and this is many people, not one.
        Peer.next_source += 1
        self.ws = await websockets.connect(URL, origin=ORIGIN, open_timeout=10,
                                           local_addr=("127.0.3.%d" % Peer.next_source, 0))
        self.task = asyncio.ensure_future(self._read())

    async def _read(self):
        try:
            async for raw in self.ws:
                self.messages.append(json.loads(raw))
        except websockets.ConnectionClosed:
            pass
        self.closed_at = time.monotonic()

    async def send(self, **fields):
        await self.ws.send(json.dumps(dict(v=2, **fields)))

    def of(self, kind):
        return [m for m in self.messages if m.get("type") == kind]

    def errors(self):
        return [m.get("code") for m in self.of("error")]

    async def wait(self, predicate, timeout=WAIT_S):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate(self):
                return True
            await asyncio.sleep(0.02)
        return predicate(self)

    async def join(self, room, token):
        await self.connect()
        await self.send(type="join", room=room, token=token)
        await self.wait(lambda p: p.of("joined") or p.of("lobby") or p.of("error"))
        joined = self.of("joined")
        return joined[0]["participant_id"] if joined else None

    async def close(self):
        if self.ws:
            await self.ws.close()


async def joined_peer(label, room, token):
    p = Peer(label)
    pid = await p.join(room, token)
    p.id = pid
    return p


async def main():
    if not AEGIS or not DATA:
        print("FAIL: AEGIS_BIN and AEGIS_DATA must be set (run through moderation.sh)")
        return 1
    peers = []

    # 1. One session per identity.
    first = await joined_peer("ada#1", "R", mint("R", "ada"))
    bob = await joined_peer("bob", "R", mint("R", "bob"))
    second = await joined_peer("ada#2", "R", mint("R", "ada"))
    peers += [first, bob, second]
    await first.wait(lambda p: p.closed_at is not None)
    await bob.wait(lambda p: any(m.get("participant_id") == first.id for m in p.of("participant_left")))
    check("the same identity joining again replaces the old session",
          "replaced" in first.errors() and first.closed_at is not None and second.id and
          any(m.get("participant_id") == first.id for m in bob.of("participant_left")),
          "first session errors %s, closed %s; bob told it left: %s" % (
              first.errors(), first.closed_at is not None,
              any(m.get("participant_id") == first.id for m in bob.of("participant_left"))))

    # 2. Admin requests without the grant.
    for request in (dict(type="kick", participant_id=second.id),
                    dict(type="mute", participant_id=second.id, kind="audio", muted=True),
                    dict(type="lock", locked=True), dict(type="end")):
        before = len(bob.errors())
        await bob.send(**request)
        await bob.wait(lambda p: len(p.errors()) > before)
        check("without room_admin, %s is forbidden" % request["type"], bob.errors()[before:] == ["forbidden"],
              "errors %s" % bob.errors()[before:])
    check("nobody was affected by the refused requests", second.closed_at is None and not second.of("muted"),
          "ada#2 closed %s, muted events %d" % (second.closed_at is not None, len(second.of("muted"))))

    # 3. An admin in room M: kick, mute, lock, end.
    admin = await joined_peer("admin", "M", mint("M", "root", admin=True))
    carol = await joined_peer("carol", "M", mint("M", "carol"))
    dan = await joined_peer("dan", "M", mint("M", "dan"))
    peers += [admin, carol, dan]
    check("joined tells an admin it is one", admin.of("joined")[0].get("admin") is True and
          carol.of("joined")[0].get("admin") is False, "admin %s, carol %s" % (
              admin.of("joined")[0].get("admin"), carol.of("joined")[0].get("admin")))
    await admin.send(type="mute", participant_id=dan.id, kind="audio", muted=True)
    told = [await p.wait(lambda q: any(m.get("participant_id") == dan.id and m.get("muted") for m in q.of("muted")))
            for p in (admin, carol, dan)]
    late = await joined_peer("erin", "M", mint("M", "erin"))
    peers.append(late)
    listed = [p for p in late.of("joined")[0]["participants"] if p["id"] == dan.id]
    check("mute: every member is told, a late joiner sees it", all(told) and listed and listed[0].get("audio_muted"),
          "told admin/carol/dan %s; erin's joined lists dan %s" % (told, listed))
    t0 = time.monotonic()
    await admin.send(type="kick", participant_id=carol.id)
    await carol.wait(lambda p: p.closed_at is not None)
    await dan.wait(lambda p: any(m.get("participant_id") == carol.id for m in p.of("participant_left")))
    check("kick: the kicked member is told and its socket closed, the others see it leave",
          "kicked" in carol.errors() and carol.closed_at is not None and
          any(m.get("participant_id") == carol.id for m in dan.of("participant_left")),
          "carol errors %s closed after %.0f ms" % (carol.errors(), ((carol.closed_at or t0) - t0) * 1000))
    await admin.send(type="lock", locked=True)
    await dan.wait(lambda p: p.of("locked"))
    frank = Peer("frank")
    await frank.join("M", mint("M", "frank"))
    admin2 = await joined_peer("admin2", "M", mint("M", "root2", admin=True))
    peers += [frank, admin2]
    check("lock: a new joiner is refused room_locked, an admin still enters",
          dan.of("locked") and dan.of("locked")[-1].get("locked") is True and "room_locked" in frank.errors() and
          admin2.id is not None, "dan told %s; frank %s; admin2 joined as %s" % (
              dan.of("locked"), frank.errors(), admin2.id))
    await admin.send(type="end")
    ended = [await p.wait(lambda q: "room_ended" in q.errors() and q.closed_at is not None)
             for p in (admin, dan, late, admin2)]
    check("end: everyone in the room gets room_ended and is disconnected", all(ended), "%s" % ended)

    # 4. The lobby (room L: --lobby on).
    host = await joined_peer("host", "L", mint("L", "host", admin=True))
    guest = Peer("guest")
    await guest.join("L", mint("L", "guest"))
    peers += [host, guest]
    await host.wait(lambda p: p.of("lobby_joined"))
    waiting = host.of("lobby_joined")[0]["participant"]["id"] if host.of("lobby_joined") else None
    await guest.send(type="publish", sdp="v=0")
    await guest.wait(lambda p: p.errors())
    check("lobby: the joiner waits and can do nothing, the admin sees it",
          guest.of("lobby") and not guest.of("joined") and waiting and guest.errors() == ["not_joined"],
          "guest got %s, errors %s; host sees %s" % ([m["type"] for m in guest.messages], guest.errors(), waiting))
    await host.send(type="admit", participant_id=waiting)
    await guest.wait(lambda p: p.of("joined"))
    await host.wait(lambda p: p.of("participant_joined"))
    check("lobby: admit lets the joiner in", guest.of("joined") and guest.of("joined")[0]["participant_id"] == waiting
          and host.of("participant_joined"), "guest joined %s" % guest.of("joined"))
    other = Peer("stranger")
    await other.join("L", mint("L", "stranger"))
    peers.append(other)
    await host.wait(lambda p: len(p.of("lobby_joined")) >= 2)
    stranger_id = host.of("lobby_joined")[-1]["participant"]["id"]
    await host.send(type="deny", participant_id=stranger_id)
    await other.wait(lambda p: p.closed_at is not None)
    check("lobby: deny ends the waiting session", "denied" in other.errors() and other.closed_at is not None,
          "stranger errors %s" % other.errors())

    # 5. Token expiry and refresh (leeway 0: a 3 s token expires 3 s after minting).
    short = await joined_peer("short", "T", mint("T", "short", ttl="3s"))
    kept = await joined_peer("kept", "T", mint("T", "kept", ttl="3s"))
    peers += [short, kept]
    await kept.send(type="refresh", token=mint("T", "kept", ttl="10m"))
    await kept.send(type="refresh", token=mint("T", "short", ttl="10m"))  # another identity's token
    await kept.wait(lambda p: p.errors())
    await short.wait(lambda p: p.closed_at is not None, timeout=6)
    check("an expiring token is warned, then the session ends",
          short.of("token_expiring") and "token_expired" in short.errors() and short.closed_at is not None,
          "short got %s, errors %s" % ([m["type"] for m in short.messages], short.errors()))
    await asyncio.sleep(1.0)
    await kept.send(type="ping", seq=7)
    alive = await kept.wait(lambda p: p.of("pong"))
    check("a refreshed session outlives its first token; another identity's token is refused",
          alive and kept.closed_at is None and kept.errors() == ["unauthorized"],
          "kept: pong %s, closed %s, errors %s" % (alive, kept.closed_at is not None, kept.errors()))

    # 6. Revocation from the command line, by identity and by jti.
    token_gil = mint("V", "gil")
    gil = await joined_peer("gil", "V", token_gil)
    token_hal = mint("V", "hal")
    hal = await joined_peer("hal", "V", token_hal)
    peers += [gil, hal]
    t0 = time.monotonic()
    subprocess.run([AEGIS, "token", "revoke", "--data", DATA, "--room", "V", "--identity", "gil"], check=True,
                   capture_output=True)
    await gil.wait(lambda p: p.closed_at is not None, timeout=3)
    took = ((gil.closed_at or time.monotonic()) - t0) * 1000
    check("revoke --identity ends the live session within 1 s",
          "revoked" in gil.errors() and gil.closed_at is not None and took <= 1000 and hal.closed_at is None,
          "gil errors %s after %.0f ms; hal still connected: %s" % (gil.errors(), took, hal.closed_at is None))
    again = Peer("gil again")
    await again.join("V", token_gil)
    peers.append(again)
    check("the revoked token is refused afterwards", again.errors() == ["unauthorized"], "errors %s" % again.errors())
    t0 = time.monotonic()
    subprocess.run([AEGIS, "token", "revoke", "--data", DATA, "--room", "V", "--jti", jti_of(token_hal)],
                   check=True, capture_output=True)
    await hal.wait(lambda p: p.closed_at is not None, timeout=3)
    took = ((hal.closed_at or time.monotonic()) - t0) * 1000
    fresh = await joined_peer("hal fresh", "V", mint("V", "hal"))
    peers.append(fresh)
    check("revoke --jti ends that token's session within 1 s; a new token for the identity works",
          "revoked" in hal.errors() and took <= 1000 and fresh.id is not None,
          "hal errors %s after %.0f ms; a fresh token joined as %s" % (hal.errors(), took, fresh.id))

    for p in peers:
        await p.close()
    print("moderation: %d passed, %d failed" % (passed, failed), flush=True)
    return 0 if failed == 0 and passed > 0 else 1


sys.exit(asyncio.run(main()))

#!/usr/bin/python3
"""Bad input against the running server while a call keeps flowing.

Run through signaling_abuse.sh (inside run_in_netns.sh), which starts
`aegis serve` and mints the tokens:
    signaling_abuse.py PORT
with in the environment (all 10-minute tokens):
    AEGIS_TOKEN_A_PUB     room A, the publisher of the call
    AEGIS_TOKEN_A_SUB     room A, the subscriber of the call
    AEGIS_TOKEN_A_NOPUB   room A, minted with --no-publish
    AEGIS_TOKEN_A_SPARE   room A: its payload is reused for the forged tokens,
                          and it joins for real at the end (proving that payload valid)
    AEGIS_TOKEN_B         room B
    AEGIS_TOKEN_C         room C, for the burst of joins from 127.0.0.2

Two aiortc participants (aegis_client.py) hold a call in room A: one
publishes a moving picture (30 fps) and a tone, the other subscribes and
counts the frames it decodes. Then, each from WebSocket connections of its
own, the attacks of docs/protocol.md §5-6, each of which must get exactly
its error code (or HTTP status / close code):
    malformed JSON, a 64 KiB + 1 B message (too_large), the largest frame the
    socket reads, 385 KiB (too_large, socket stays open), a frame one byte
    bigger (closed with 1009), a 64 KiB valid message (answered: the limit is
    inclusive), an unknown type, a protocol 1 client (unsupported_version,
    naming version 2), a binary frame, a token with alg none, a
    token signed with another key, a room-B token joining room A, `publish`
    with a token without the publish grant (forbidden), a message before
    join (not_joined), a flood of messages on one connection (rate_limited
    after the burst of 20), repeated errors (the 10th closes the socket), a
    cross-site Origin on the upgrade (HTTP 403), a burst of joins from one
    address, 127.0.0.2 (rate_limited after 10, while 127.0.0.1 can still join).
Then the same attacks again, round-robin for 6 s from another process
(`signaling_abuse.py PORT --hammer SECONDS`), every outcome checked.
Meanwhile the room-A subscriber's decoded-frame counters must keep rising:
during each attack (at least half the sent rate: 15 video and 25 audio
frames a second, less one), over the sustained phase and the whole attack
phase (no gap over 1 s between video frames, nor between audio frames), and
for 3 s after it; both participants' sockets must still answer ping and
must have received no error. Forged tokens in the sustained phase come each
from a fresh loopback address (127.0.1.x), so the signature check, not the
join rate limit, is what refuses them.
Prints one line per check with its figures, then `signaling abuse: N passed, N failed`.
"""
import asyncio
import base64
import contextlib
import hashlib
import hmac
import json
import os
import random
import sys
import time

import websockets

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from aegis_client import AegisClient, AegisError, MovingVideoTrack, ToneAudioTrack  # noqa: E402

PORT = sys.argv[1] if len(sys.argv) > 1 else "18443"
URL = "ws://127.0.0.1:%s/ws" % PORT
SAME_ORIGIN = "http://127.0.0.1:%s" % PORT
MAX_MESSAGE = 64 * 1024           # protocol limit (docs/protocol.md §1)
MAX_COMMIT = 384 * 1024           # an mls_commit's limit (docs/protocol.md §7)
MAX_FRAME = MAX_COMMIT + 1024     # what the socket reads before closing with 1009
REPLY_S = 5.0
JOIN_BURST = 10                   # per-address join bucket (protocol.md §6)
MESSAGE_BURST = 20                # per-connection message bucket
ABUSE_ERRORS = 10                 # errors within 60 s that close the socket
HAMMER_S = 6                      # sustained attacks

TOKENS = {name: os.environ.get("AEGIS_TOKEN_" + name, "") for name in
          ("A_PUB", "A_SUB", "A_NOPUB", "A_SPARE", "B", "C")}

passed = 0
failed = 0


def check(name, ok, detail):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
    print("%s %s: %s" % ("ok  " if ok else "FAIL", name, detail), flush=True)


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def alg_none(token):
    """The same header (alg changed to none) and payload, no signature."""
    header, payload, _ = token.split(".")
    fields = json.loads(b64url_decode(header))
    fields["alg"] = "none"
    return "%s.%s." % (b64url(json.dumps(fields, separators=(",", ":")).encode()), payload)


def wrong_key(token):
    """The same header and payload, HS256-signed with a key that is not the server's."""
    header, payload, _ = token.split(".")
    key = os.urandom(32)
    signature = hmac.new(key, ("%s.%s" % (header, payload)).encode(), hashlib.sha256).digest()
    return "%s.%s.%s" % (header, payload, b64url(signature))


def payload_of(token):
    return json.loads(b64url_decode(token.split(".")[1]))


async def open_raw(origin=None, local_addr=None):
    kwargs = {"compression": None, "max_size": 1 << 20, "open_timeout": 10}
    if origin:
        kwargs["origin"] = origin
    if local_addr:
        kwargs["local_addr"] = (local_addr, 0)
    return await websockets.connect(URL, **kwargs)


@contextlib.asynccontextmanager
async def raw_socket(origin=None, local_addr=None):
    ws = await open_raw(origin, local_addr)
    try:
        yield ws
    finally:
        await ws.close()


def msg(**fields):
    out = {"v": 2}
    out.update(fields)
    return json.dumps(out)


async def reply(ws, timeout=REPLY_S):
    """The next text message parsed, or ('closed', code) / ('timeout', None)."""
    try:
        raw = await asyncio.wait_for(ws.recv(), timeout)
    except websockets.ConnectionClosed:
        return {"type": "(closed)", "close_code": ws.close_code}
    except asyncio.TimeoutError:
        return {"type": "(no reply)"}
    return json.loads(raw)


def show(m):
    if m.get("type") == "error":
        field = (" field=%s" % m["field"]) if m.get("field") else ""
        return "error %s%s (%s)" % (m.get("code"), field, m.get("message", ""))
    if m.get("type") == "(closed)":
        return "socket closed with %s" % m.get("close_code")
    return m.get("type", "?")


async def still_open(ws):
    """Whether the socket still answers a ping with pong."""
    await ws.send(msg(type="ping", seq=4242))
    r = await reply(ws)
    return r.get("type") == "pong" and r.get("seq") == 4242


async def expect_error(ws, text, code):
    await ws.send(text)
    r = await reply(ws)
    return r.get("type") == "error" and r.get("code") == code, r


# --- the attacks: each returns (ok, detail) ------------------------------------


async def attack_malformed_json():
    async with raw_socket() as ws:
        ok, r = await expect_error(ws, '{"v":2,"type":"join","room":"A",', "malformed_json")
        return ok, "truncated JSON -> %s" % show(r)


async def attack_oversized_message():
    head, tail = '{"v":2,"type":"ping","pad":"', '"}'
    text = head + "x" * (MAX_MESSAGE + 1 - len(head) - len(tail)) + tail  # 64 KiB + 1 byte
    async with raw_socket() as ws:
        ok, r = await expect_error(ws, text, "too_large")
        alive = await still_open(ws)
        return ok and alive and len(text) == MAX_MESSAGE + 1, \
            "%d-byte message -> %s; socket still answers ping: %s" % (len(text), show(r), alive)


async def attack_largest_frame():
    text = " " * MAX_FRAME
    async with raw_socket() as ws:
        ok, r = await expect_error(ws, text, "too_large")
        alive = await still_open(ws)
        return ok and alive, "%d-byte frame (the socket's limit) -> %s; socket still answers ping: %s" % (
            len(text), show(r), alive)


async def attack_oversized_frame():
    text = " " * (MAX_FRAME + 1)
    ws = await open_raw()
    try:
        await ws.send(text)
    except websockets.ConnectionClosed:
        pass
    r = await reply(ws)
    await ws.close()
    ok = r.get("type") == "(closed)" and r.get("close_code") == 1009
    return ok, "%d-byte frame -> %s (want close code 1009)" % (len(text), show(r))


async def attack_limit_is_inclusive():
    head = '{"v":2,"type":"ping","seq":7'
    text = head + " " * (MAX_MESSAGE - len(head) - 1) + "}"
    async with raw_socket() as ws:
        await ws.send(text)
        r = await reply(ws)
        ok = r.get("type") == "pong" and r.get("seq") == 7 and len(text) == MAX_MESSAGE
        return ok, "%d-byte valid ping (exactly 64 KiB) -> %s (want pong)" % (len(text), show(r))


async def attack_unknown_type():
    async with raw_socket() as ws:
        ok, r = await expect_error(ws, msg(type="make_me_admin"), "unknown_type")
        return ok, "type make_me_admin -> %s" % show(r)


async def attack_old_protocol():
    """A client of protocol 1 (its E2EE v1 join) is told which version the server speaks."""
    async with raw_socket() as ws:
        text = json.dumps({"v": 1, "type": "join", "room": "A", "token": "t", "e2ee": True, "identity_key": "BAEC"})
        ok, r = await expect_error(ws, text, "unsupported_version")
        ok = ok and r.get("field") == "v" and "protocol version 2" in r.get("message", "")
        return ok, "a protocol 1 join -> %s" % show(r)


async def attack_binary_frame():
    async with raw_socket() as ws:
        await ws.send(msg(type="ping", seq=1).encode())
        r = await reply(ws)
        ok = r.get("type") == "error" and r.get("code") == "malformed_json"
        # Binary frames go through the gate like text: each is a refusal the
        # abuse tracker counts, so with the first one the 10th closes the socket.
        more = MESSAGE_BURST + 4
        for _ in range(more):
            await ws.send(b"\x00" * 16)
        outcomes = {}
        for _ in range(more + 1):
            m = await reply(ws, timeout=1.0)
            if m.get("type") == "(no reply)":
                break
            key = show(m).split(" (")[0]
            outcomes[key] = outcomes.get(key, 0) + 1
            if m.get("type") == "(closed)":
                break
        refusals = outcomes.get("error malformed_json", 0)
        ok = ok and refusals == ABUSE_ERRORS - 1 and not ws.open
        return ok, "binary frame holding a valid ping -> %s; %d more binary frames -> %s (need %d refusals, " \
            "then closed), socket still open: %s" % (show(r), more, outcomes, ABUSE_ERRORS - 1, ws.open)


async def http_status(method, path, headers, body=b"", source=None):
    """One raw HTTP/1.1 request to the server; returns the status code."""
    reader, writer = await asyncio.open_connection("127.0.0.1", int(PORT), local_addr=(source, 0) if source else None)
    head = "%s %s HTTP/1.1\r\n" % (method, path) + "".join("%s: %s\r\n" % kv for kv in headers.items())
    writer.write(head.encode() + ("Content-Length: %d\r\nConnection: close\r\n\r\n" % len(body)).encode() + body)
    await writer.drain()
    line = await asyncio.wait_for(reader.readline(), REPLY_S)
    writer.close()
    return int(line.split()[1]) if line.startswith(b"HTTP/1.1 ") else -1


async def attack_dns_rebinding_host():
    # A page of another site whose name was rebound to 127.0.0.1 sends its
    # own name as Host: a loopback listener answers loopback names only.
    evil = await http_status("GET", "/", {"Host": "evil.example:%s" % PORT})
    token = await http_status("POST", "/api/dev-token", {"Host": "evil.example:%s" % PORT,
                                                         "Content-Type": "application/json"}, b'{"room":"A"}')
    good = await http_status("GET", "/", {"Host": "127.0.0.1:%s" % PORT})
    return evil == 421 and token == 421 and good == 200, \
        "Host evil.example -> HTTP %d (page), %d (dev token); Host 127.0.0.1 -> %d" % (evil, token, good)


async def attack_proxied_dev_token():
    # Behind a reverse proxy every Internet user would reach the dev-token
    # endpoint from loopback: a forwarded request gets none.
    body = b'{"room":"A","name":"x"}'
    forwarded = await http_status("POST", "/api/dev-token", {"Host": "127.0.0.1:%s" % PORT,
                                  "Content-Type": "application/json", "X-Forwarded-For": "203.0.113.9"}, body)
    direct = await http_status("POST", "/api/dev-token", {"Host": "127.0.0.1:%s" % PORT,
                               "Content-Type": "application/json"}, body)
    return forwarded == 404 and direct == 200, "X-Forwarded-For -> HTTP %d; direct -> HTTP %d" % (forwarded, direct)


async def attack_connection_hoarding():
    # One address cannot hold more than 32 connections, and a socket that
    # never joins is closed after 10 s: no token, no lasting slot.
    held, refused_at = [], None
    for i in range(40):
        try:
            held.append(await open_raw(local_addr="127.0.0.2"))
        except Exception:  # the server closes the 33rd at accept
            refused_at = i + 1
            break
    ok_cap = len(held) == 32 and refused_at == 33
    t0 = time.monotonic()
    closed = await asyncio.gather(*(reply(ws, timeout=13.0) for ws in held))
    waited = time.monotonic() - t0
    codes = {}
    for m in closed:
        key = show(m).split(" (")[0]
        codes[key] = codes.get(key, 0) + 1
    all_told = codes.get("error not_joined", 0) == len(held)
    for ws in held:
        await ws.close()
    return ok_cap and all_told and waited < 12.5, \
        "held %d connections from 127.0.0.2, connection %s refused; unjoined sockets told %s within %.1f s" % (
            len(held), refused_at, codes, waited)


async def refused_join(room, token, what):
    async with raw_socket() as ws:
        ok, r = await expect_error(ws, msg(type="join", room=room, token=token), "unauthorized")
        # The socket stays usable after a refused join, and nothing was joined.
        await ws.send(msg(type="publish", sdp="v=0"))
        after = await reply(ws)
        not_joined = after.get("type") == "error" and after.get("code") == "not_joined"
        return ok and not_joined, "%s -> %s; then publish -> %s" % (what, show(r), show(after))


async def attack_alg_none():
    token = alg_none(TOKENS["A_SPARE"])
    header = json.loads(b64url_decode(token.split(".")[0]))
    return await refused_join("A", token, "join A with header %s and no signature" % json.dumps(header))


async def attack_wrong_key():
    return await refused_join("A", wrong_key(TOKENS["A_SPARE"]), "join A with the token re-signed with a random key")


async def attack_other_room():
    room = payload_of(TOKENS["B"]).get("room")
    return await refused_join("A", TOKENS["B"], "join A with a valid token for room %s" % room)


async def attack_publish_without_grant(offer_sdp, subscriber):
    before = len(subscriber.messages)
    async with raw_socket() as ws:
        await ws.send(msg(type="join", room="A", token=TOKENS["A_NOPUB"]))
        joined = await reply(ws)
        ok_join = joined.get("type") == "joined"
        # The server may send this participant a subscriber offer first (the
        # room has tracks); the reply to publish is an `answer` or an `error`.
        await ws.send(msg(type="publish", sdp=offer_sdp))
        skipped = []
        while True:
            r = await reply(ws)
            if r.get("type") in ("error", "answer", "(closed)", "(no reply)"):
                break
            skipped.append(r.get("type"))
        ok = r.get("type") == "error" and r.get("code") == "forbidden"
        pid = joined.get("participant_id")
    # The server relays a room's events in order: once the subscriber is told
    # this participant left, anything it announced would have arrived before.
    deadline = time.monotonic() + REPLY_S
    left = False
    while time.monotonic() < deadline and not left:
        left = any(m.get("type") == "participant_left" and m.get("participant_id") == pid
                   for m in subscriber.messages[before:])
        if not left:
            await asyncio.sleep(0.02)
    seen = [m.get("type") for m in subscriber.messages[before:]]
    published = [m for m in subscriber.messages[before:]
                 if m.get("type") == "track_published" and m.get("participant_id") == pid]
    return ok_join and ok and left and not published, (
        "joined A with a --no-publish token (%s), published a real %d-byte offer -> %s (after %s); "
        "the room-A subscriber saw %s (its participant_left: %s) and no track from it" % (
            show(joined), len(offer_sdp), show(r), skipped or "nothing else", seen, left))


async def attack_before_join():
    async with raw_socket() as ws:
        ok, r = await expect_error(ws, msg(type="subscribe_answer", sdp="v=0"), "not_joined")
        return ok, "subscribe_answer as the first message -> %s" % show(r)


async def attack_message_flood():
    count = MESSAGE_BURST + 5
    async with raw_socket() as ws:
        for i in range(count):
            await ws.send(msg(type="ping", seq=i))
        replies = [await reply(ws) for _ in range(count)]
    kinds = [r.get("type") if r.get("type") != "error" else r.get("code") for r in replies]
    pongs = kinds.count("pong")
    limited = kinds.count("rate_limited")
    first_limited = kinds.index("rate_limited") if limited else None
    # The bucket refills at 10/s: a slow sender may earn one more.
    ok = (MESSAGE_BURST <= pongs <= MESSAGE_BURST + 1 and pongs + limited == count and
          all(k == "pong" for k in kinds[:MESSAGE_BURST]))
    return ok, "%d pings at once -> %d pong, %d rate_limited (first at message %s)" % (
        count, pongs, limited, None if first_limited is None else first_limited + 1)


async def attack_repeated_errors():
    ws = await open_raw()
    codes = []
    for i in range(ABUSE_ERRORS - 1):
        await ws.send(msg(type="bogus_%d" % i))
        codes.append((await reply(ws)).get("code"))
    alive = await still_open(ws)
    await ws.send(msg(type="bogus_last"))
    last = await reply(ws)
    final = await reply(ws)
    await ws.close()
    ok = (codes == ["unknown_type"] * (ABUSE_ERRORS - 1) and alive and last.get("code") == "unknown_type" and
          final.get("type") == "(closed)")
    return ok, "%d bad messages -> %d x %s, socket still answers ping after %d: %s; error %d -> %s, then %s" % (
        ABUSE_ERRORS, len(codes) + 1, last.get("code"), ABUSE_ERRORS - 1, alive, ABUSE_ERRORS, show(last),
        show(final))


async def attack_cross_site_origin():
    results = []
    for origin in ("http://evil.example", "http://127.0.0.1:%d" % (int(PORT) + 1), "null"):
        try:
            ws = await open_raw(origin=origin)
            await ws.close()
            results.append((origin, "upgraded"))
        except websockets.InvalidStatusCode as e:
            results.append((origin, e.status_code))
    async with raw_socket(origin=SAME_ORIGIN) as ws:
        same = await still_open(ws)
    ok = all(status == 403 for _, status in results) and same
    return ok, "%s; same origin %s upgrades and answers ping: %s" % (
        ", ".join("Origin %s -> HTTP %s" % r for r in results), SAME_ORIGIN, same)


async def attack_join_burst():
    count = JOIN_BURST + 2
    sockets = [await open_raw(local_addr="127.0.0.2") for _ in range(count)]
    start = time.monotonic()
    results = []
    for ws in sockets:
        await ws.send(msg(type="join", room="C", token=TOKENS["C"]))
        r = await reply(ws)
        results.append(r.get("type") if r.get("type") != "error" else r.get("code"))
    elapsed = time.monotonic() - start
    for ws in sockets:
        await ws.close()
    # The same address's bucket refills at 1/s: the burst must be quicker than that.
    ok = results[:JOIN_BURST] == ["joined"] * JOIN_BURST and results[JOIN_BURST:] == ["rate_limited"] * 2
    # Another address (127.0.0.1) is not affected: the spare room-A token joins.
    spare = AegisClient(URL, label="spare")
    try:
        await spare.connect()
        joined = await spare.join("A", TOKENS["A_SPARE"])
        other = "joined as %s" % joined["participant_id"]
        other_ok = True
    except AegisError as e:
        other, other_ok = "refused: %s" % e, False
    finally:
        await spare.leave()
    return ok and other_ok and elapsed < 1.0, (
        "%d valid room-C joins from 127.0.0.2 in %.0f ms -> %s; then a join from 127.0.0.1 -> %s" % (
            count, elapsed * 1000, " ".join("%d:%s" % (i + 1, r) for i, r in enumerate(results)), other))


# --- sustained attacks (a process of their own) ----------------------------------


async def outcome_of(ws, text):
    await ws.send(text)
    r = await reply(ws)
    if r.get("type") == "error":
        return r.get("code")
    if r.get("type") == "(closed)":
        return "close %s" % r.get("close_code")
    return r.get("type")


async def h_malformed():
    async with raw_socket() as ws:
        return await outcome_of(ws, '{"v":2,"type":')


async def h_oversized():
    async with raw_socket() as ws:
        return await outcome_of(ws, '{"v":2,"type":"ping","pad":"%s"}' % ("x" * MAX_MESSAGE))


async def h_frame_over_limit():
    ws = await open_raw()
    try:
        return await outcome_of(ws, " " * (MAX_FRAME + 1))
    except websockets.ConnectionClosed:
        return "close %s" % ws.close_code
    finally:
        await ws.close()


async def h_unknown_type():
    async with raw_socket() as ws:
        return await outcome_of(ws, msg(type="shell"))


async def h_binary():
    async with raw_socket() as ws:
        await ws.send(b"\x00\xff" * 100)
        r = await reply(ws)
        return r.get("code") or r.get("type")


async def h_before_join():
    async with raw_socket() as ws:
        return await outcome_of(ws, msg(type="publish", sdp="v=0"))


async def h_flood():
    async with raw_socket() as ws:
        for i in range(MESSAGE_BURST + 5):
            await ws.send(msg(type="ping", seq=i))
        replies = [await reply(ws) for _ in range(MESSAGE_BURST + 5)]
    return "rate_limited" if any(r.get("code") == "rate_limited" for r in replies) else "not limited"


async def h_repeated_errors():
    ws = await open_raw()
    try:
        for i in range(ABUSE_ERRORS):
            await ws.send(msg(type="x%d" % i))
            await reply(ws)
        r = await reply(ws)
        return "close %s" % r.get("close_code") if r.get("type") == "(closed)" else "still open"
    finally:
        await ws.close()


async def h_cross_site():
    try:
        ws = await open_raw(origin="https://attacker.example")
    except websockets.InvalidStatusCode as e:
        return "HTTP %d" % e.status_code
    await ws.close()
    return "upgraded"


FORGED_SOURCES = ["127.0.1.%d" % i for i in range(1, 255)]


async def h_forged_join():
    # Each from a loopback address of its own whose join bucket is full, so
    # only the signature check can refuse it (not the rate limit).
    forged = alg_none(TOKENS["A_SPARE"]) if random.random() < 0.5 else wrong_key(TOKENS["A_SPARE"])
    source = FORGED_SOURCES.pop(0) if FORGED_SOURCES else None
    if source is None:
        return "ran out of fresh source addresses"
    async with raw_socket(local_addr=source) as ws:
        return await outcome_of(ws, msg(type="join", room="A", token=forged))


HAMMER = [
    ("malformed JSON", h_malformed, {"malformed_json"}),
    ("64 KiB + 1 B", h_oversized, {"too_large"}),
    ("frame over the limit", h_frame_over_limit, {"close 1009"}),
    ("unknown type", h_unknown_type, {"unknown_type"}),
    ("binary frame", h_binary, {"malformed_json"}),
    ("before join", h_before_join, {"not_joined"}),
    ("flood", h_flood, {"rate_limited"}),
    ("10 errors", h_repeated_errors, {"close 1000"}),
    ("cross-site Origin", h_cross_site, {"HTTP 403"}),
    ("forged token from a fresh address", h_forged_join, {"unauthorized"}),
]


async def hammer(seconds, workers=2, pause_s=0.01):
    """Runs the attacks round-robin from `workers` tasks for `seconds`; prints
    the outcomes; returns whether every one was the expected one."""
    outcomes = {}
    deadline = time.monotonic() + seconds

    async def worker(offset):
        i = offset
        while time.monotonic() < deadline:
            name, attack, _ = HAMMER[i % len(HAMMER)]
            i += 1
            try:
                outcome = await attack()
            except Exception as e:
                outcome = "raised %s" % type(e).__name__
            outcomes.setdefault(name, {}).setdefault(outcome, 0)
            outcomes[name][outcome] += 1
            await asyncio.sleep(pause_s)

    start = time.monotonic()
    await asyncio.gather(*(worker(k * len(HAMMER) // workers) for k in range(workers)))
    elapsed = time.monotonic() - start
    total = sum(n for o in outcomes.values() for n in o.values())
    unexpected = {name: {o: n for o, n in got.items() if o not in expected}
                  for name, _, expected in HAMMER for got in [outcomes.get(name, {})]}
    unexpected = {k: v for k, v in unexpected.items() if v}
    missing = [name for name, _, _ in HAMMER if name not in outcomes]
    print("hammer: %d attacks in %.1f s (%.0f/s) from %d connections at a time: %s; unexpected %s; never ran %s" % (
        total, elapsed, total / elapsed, workers,
        "; ".join("%s %s" % (name, outcomes.get(name, {})) for name, _, _ in HAMMER),
        unexpected or "none", missing or "none"), flush=True)
    return not unexpected and not missing


# --- the call -----------------------------------------------------------------


class Monitor:
    """Samples the subscriber's counters every 100 ms."""

    def __init__(self, client):
        self.client = client
        self.samples = []
        self.task = None

    def video(self):
        return self.client.media.frames("video")

    def audio(self):
        return self.client.media.frames("audio")

    async def run(self):
        while True:
            self.samples.append((time.monotonic(), self.video(), self.audio()))
            await asyncio.sleep(0.1)


async def main():
    for name, token in TOKENS.items():
        if token.count(".") != 2:
            print("FAIL: AEGIS_TOKEN_%s is missing or not a JWT" % name)
            return 1
    pub = AegisClient(URL, origin=SAME_ORIGIN, label="publisher")
    sub = AegisClient(URL, origin=SAME_ORIGIN, label="subscriber")
    video, audio = MovingVideoTrack(320, 240), ToneAudioTrack()
    try:
        # The subscriber first: the publisher's tracks then reach it by a
        # subscriber offer, as for anyone already in the room.
        await sub.connect()
        await sub.join("A", TOKENS["A_SUB"])
        await pub.connect()
        await pub.join("A", TOKENS["A_PUB"])
        await pub.publish([video, audio])
    except AegisError as e:
        check("the room-A call starts", False, "refused: %s" % e)
        return 1
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and (sub.media.frames("video") < 30 or sub.media.frames("audio") < 50):
        await asyncio.sleep(0.1)
    started = time.monotonic() - (deadline - 20)
    check("the room-A call starts", sub.media.frames("video") >= 30 and sub.media.frames("audio") >= 50,
          "after %.1f s the subscriber decoded %s (publisher %s, subscriber %s; %d keyframe requests)" % (
              started, sub.media.summary(), pub.publisher.connectionState,
              sub.subscriber.connectionState if sub.subscriber else "none", sub.keyframe_requests))
    if failed:
        await sub.close()
        await pub.close()
        return 1

    monitor = Monitor(sub)
    monitor.task = asyncio.ensure_future(monitor.run())
    for c in sub.media.tracks:
        c.reset_gap()
    attacks_start = time.monotonic()
    v0, a0 = monitor.video(), monitor.audio()
    attacks = [
        ("malformed JSON -> malformed_json", attack_malformed_json),
        ("message of 64 KiB + 1 B -> too_large", attack_oversized_message),
        ("frame at the socket limit -> too_large", attack_largest_frame),
        ("frame over the socket limit -> close 1009", attack_oversized_frame),
        ("message of exactly 64 KiB -> answered", attack_limit_is_inclusive),
        ("unknown type -> unknown_type", attack_unknown_type),
        ("protocol 1 client -> unsupported_version", attack_old_protocol),
        ("binary frame -> malformed_json", attack_binary_frame),
        ("token with alg none -> unauthorized", attack_alg_none),
        ("token signed with the wrong key -> unauthorized", attack_wrong_key),
        ("room-B token joining room A -> unauthorized", attack_other_room),
        ("publish without the publish grant -> forbidden",
         lambda: attack_publish_without_grant(pub.publisher.localDescription.sdp, sub)),
        ("message before join -> not_joined", attack_before_join),
        ("message flood on one connection -> rate_limited", attack_message_flood),
        ("repeated errors -> socket closed", attack_repeated_errors),
        ("cross-site Origin on the upgrade -> HTTP 403", attack_cross_site_origin),
        ("DNS-rebinding Host on the loopback listener -> HTTP 421", attack_dns_rebinding_host),
        ("dev token through a proxy -> refused", attack_proxied_dev_token),
        ("connection hoarding -> 32 per address, unjoined closed in 10 s", attack_connection_hoarding),
        ("burst of joins from one address -> rate_limited", attack_join_burst),
    ]
    for name, attack in attacks:
        fv, fa = monitor.video(), monitor.audio()
        t0 = time.monotonic()
        try:
            ok, detail = await attack()
        except Exception as e:  # an attack that cannot even run is a failure, not a crash
            ok, detail = False, "raised %r" % e
        dv, da = monitor.video() - fv, monitor.audio() - fa
        took = time.monotonic() - t0
        # Half the sent rate (30 fps, 50 audio frames/s), less one frame for
        # the attacks that take only a few frame times.
        want_v, want_a = int(15 * took) - 1, int(25 * took) - 1
        check(name, ok, "%s" % detail)
        check("the call keeps flowing during: " + name, dv >= want_v and da >= want_a,
              "%.0f ms: +%d video frames (need %d), +%d audio frames (need %d)" % (
                  took * 1000, dv, max(want_v, 0), da, max(want_a, 0)))

    # Sustained: the same attacks, over and over, from another process (so
    # that they do not share an event loop with the call being measured).
    fv, fa = monitor.video(), monitor.audio()
    t0 = time.monotonic()
    proc = await asyncio.create_subprocess_exec(sys.executable, os.path.abspath(__file__), PORT, "--hammer",
                                                str(HAMMER_S), stdout=asyncio.subprocess.PIPE,
                                                stderr=asyncio.subprocess.STDOUT)
    out, _ = await proc.communicate()
    hammer_s = time.monotonic() - t0
    dv, da = monitor.video() - fv, monitor.audio() - fa
    lines = out.decode(errors="replace").strip().splitlines()
    check("sustained attacks for %d s, every one refused as expected" % HAMMER_S, proc.returncode == 0,
          "%s | call meanwhile: +%d video (%.1f/s), +%d audio frames (%.1f/s)" % (
              " / ".join(lines[-3:]) or "no output", dv, dv / hammer_s, da, da / hammer_s))
    check("the call keeps flowing during the sustained attacks", dv >= 15 * hammer_s and da >= 25 * hammer_s,
          "%.1f s: +%d video frames (need %d), +%d audio frames (need %d)" % (
              hammer_s, dv, 15 * hammer_s, da, 25 * hammer_s))

    attack_s = time.monotonic() - attacks_start
    dv, da = monitor.video() - v0, monitor.audio() - a0
    video_gap = max((c.max_gap_s for c in sub.media.counters("video")), default=99)
    audio_gap = max((c.max_gap_s for c in sub.media.counters("audio")), default=99)
    # 30 fps and 50 audio frames/s: ask for half of that.
    check("the room-A call keeps flowing during the attacks",
          dv >= 15 * attack_s and da >= 25 * attack_s and video_gap < 1.0 and audio_gap < 1.0,
          "over %.1f s of attacks: +%d video frames (%.1f/s), +%d audio frames (%.1f/s); longest wait between "
          "video frames %.0f ms, audio %.0f ms" % (attack_s, dv, dv / attack_s, da, da / attack_s,
                                                  video_gap * 1000, audio_gap * 1000))

    v1, a1 = monitor.video(), monitor.audio()
    rising = []
    for _ in range(3):
        before = monitor.video()
        await asyncio.sleep(1.0)
        rising.append(monitor.video() - before)
    dv, da = monitor.video() - v1, monitor.audio() - a1
    check("the room-A call keeps flowing after the attacks",
          all(n >= 15 for n in rising) and da >= 75,
          "over 3 s: +%d video frames (per second %s), +%d audio frames; totals %s" % (
              dv, rising, da, sub.media.summary()))

    pub_alive = sub_alive = False
    try:
        pub_alive = (await pub.ping(seq=99))["type"] == "pong"
        sub_alive = (await sub.ping(seq=99))["type"] == "pong"
    except AegisError:
        pass
    pub_id = pub.participant_id
    others = sorted(sub.participants)
    check("the call's participants were never disturbed",
          pub_alive and sub_alive and not pub.errors and not sub.errors and others == [pub_id] and
          not sub.subscriber_failures and pub.publisher.connectionState == "connected" and
          sub.subscriber.connectionState == "connected",
          "ping -> pong: publisher %s, subscriber %s; errors received: publisher %s, subscriber %s; "
          "the subscriber lists %s (publisher %s); connections: publisher %s, subscriber %s; "
          "%d keyframe requests sent by the subscriber" % (
              pub_alive, sub_alive, [e.code for e in pub.errors], [e.code for e in sub.errors], others, pub_id,
              pub.publisher.connectionState, sub.subscriber.connectionState, sub.keyframe_requests))

    monitor.task.cancel()
    await sub.leave()
    await pub.leave()
    print("signaling abuse: %d passed, %d failed" % (passed, failed), flush=True)
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    if len(sys.argv) > 3 and sys.argv[2] == "--hammer":
        sys.exit(0 if asyncio.run(hammer(float(sys.argv[3]))) else 1)
    sys.exit(asyncio.run(main()))

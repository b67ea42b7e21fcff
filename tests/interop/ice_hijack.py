#!/usr/bin/python3
"""ICE path hijack against the running `aegis serve`, on the wire.

Run through ice_hijack.sh (inside run_in_netns.sh), which starts the server
and mints the tokens:
    ice_hijack.py PORT
with AEGIS_TOKEN_PUB and AEGIS_TOKEN_SUB (room H) in the environment.

Two aiortc participants (aegis_client.py) hold a call: one publishes a
moving picture and a tone, the other subscribes. The subscriber is the
attacker: it has its subscriber connection's SDP (the server's offer carries
the server's ice-ufrag/ice-pwd, its own answer the client's), so it can sign
Binding requests exactly as its ICE agent does.

Phase 1, reflector: from a third address, 127.0.0.9 (a raw UDP socket that
stands for a victim who never asked for anything), it sends correctly signed
checks with USE-CANDIDATE and the highest priority, four a second for 8 s.
Fatal unless:
  - 127.0.0.9 receives STUN only: never an RTP/RTCP or DTLS datagram (it
    may get the answers to "its" checks and the server's own Binding
    requests, which must be "<client ufrag>:<server ufrag>" signed with the
    client's password, ICE-CONTROLLED, and few: no flood towards the victim);
  - the real subscriber keeps decoding (at least half the sent frame rate,
    no gap over 1 s).
Phase 2, consent: the real client vanishes silently (its ICE sockets are
closed: no DTLS close_notify can leave), and the attacker takes over the
client's own old address (binds it) and keeps sending fresh, correctly
signed checks from there and from 127.0.0.9, once a second, never answering
the server's checks. Fatal unless:
  - SRTP to the old address stops by 33 s after the client vanished
    (consent: 30 s after the last answer to the server's own check) and none
    arrives after that, while some did arrive there first (so the count can
    fail);
  - the server removes the subscriber for lost media (its socket gets
    `error` internal, the publisher sees participant_left), 20-36 s after
    the client vanished;
  - 127.0.0.9 still never receives anything but STUN.
Prints one line per check with its figures, then `ice hijack: N passed, N failed`.
"""
import asyncio
import binascii
import hashlib
import hmac
import os
import re
import socket
import struct
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from aegis_client import AegisClient, AegisError, MovingVideoTrack, ToneAudioTrack  # noqa: E402

PORT = sys.argv[1] if len(sys.argv) > 1 else "18443"
URL = "ws://127.0.0.1:%s/ws" % PORT
SAME_ORIGIN = "http://127.0.0.1:%s" % PORT
THIRD_PARTY = "127.0.0.9"
MAGIC = 0x2112A442
BINDING_REQUEST, BINDING_SUCCESS = 0x0001, 0x0101
USERNAME, MESSAGE_INTEGRITY, PRIORITY, USE_CANDIDATE = 0x0006, 0x0008, 0x0024, 0x0025
FINGERPRINT, ICE_CONTROLLED, ICE_CONTROLLING = 0x8028, 0x8029, 0x802A
FINGERPRINT_XOR = 0x5354554E
ATTACK_S = 8.0
CONSENT_S = 30.0

passed = 0
failed = 0


def check(name, ok, detail):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
    print("%s %s: %s" % ("ok  " if ok else "FAIL", name, detail), flush=True)
    return ok


# --- STUN, by hand (RFC 8489, RFC 8445) -----------------------------------------


def attribute(kind, value):
    return struct.pack("!HH", kind, len(value)) + value + b"\0" * (-len(value) % 4)


def header(kind, body_length, transaction_id):
    return struct.pack("!HHI", kind, body_length, MAGIC) + transaction_id


def integrity(key, kind, body, transaction_id):
    return hmac.new(key, header(kind, len(body) + 24, transaction_id) + body, hashlib.sha1).digest()


def crc(kind, body, transaction_id):
    return (binascii.crc32(header(kind, len(body) + 8, transaction_id) + body) & 0xFFFFFFFF) ^ FINGERPRINT_XOR


def signed_check(username, password):
    """A Binding request as a controlling agent nominating its pair sends it."""
    transaction_id = os.urandom(12)
    body = attribute(USERNAME, username.encode())
    body += attribute(PRIORITY, struct.pack("!I", 0x7FFFFFFF))  # above any candidate aioice gathers
    body += attribute(ICE_CONTROLLING, os.urandom(8))
    body += attribute(USE_CANDIDATE, b"")
    body += attribute(MESSAGE_INTEGRITY, integrity(password.encode(), BINDING_REQUEST, body, transaction_id))
    body += attribute(FINGERPRINT, struct.pack("!I", crc(BINDING_REQUEST, body, transaction_id)))
    return header(BINDING_REQUEST, len(body), transaction_id) + body


def attributes_of(message):
    out, at = {}, 20
    while at + 4 <= len(message):
        kind, length = struct.unpack_from("!HH", message, at)
        out.setdefault(kind, (message[at + 4:at + 4 + length], at))
        at += 4 + length + (-length % 4)
    return out


def server_check_problems(data, username, password):
    """What is wrong with one of the server's own Binding requests (empty if nothing)."""
    kind, length = struct.unpack_from("!HH", data)
    transaction_id = data[8:20]
    attrs = attributes_of(data)
    problems = []
    if USERNAME not in attrs or attrs[USERNAME][0] != username.encode():
        problems.append("USERNAME %r, want %r" % (attrs.get(USERNAME, (b"",))[0], username))
    if ICE_CONTROLLED not in attrs or ICE_CONTROLLING in attrs or USE_CANDIDATE in attrs:
        problems.append("not ICE-CONTROLLED without USE-CANDIDATE")
    if PRIORITY not in attrs:
        problems.append("no PRIORITY")
    if MESSAGE_INTEGRITY not in attrs:
        problems.append("no MESSAGE-INTEGRITY")
    else:
        value, at = attrs[MESSAGE_INTEGRITY]
        if not hmac.compare_digest(value, integrity(password.encode(), kind, data[20:at], transaction_id)):
            problems.append("MESSAGE-INTEGRITY does not verify with the client's password")
    if FINGERPRINT not in attrs or struct.unpack("!I", attrs[FINGERPRINT][0])[0] != crc(
            kind, data[20:attrs[FINGERPRINT][1]], transaction_id):
        problems.append("no valid FINGERPRINT")
    return problems


# --- a UDP endpoint that counts what it receives, by RFC 7983 range ---------------


class Counter(asyncio.DatagramProtocol):
    def __init__(self, name):
        self.name = name
        self.transport = None
        self.requests = []     # the server's own Binding requests
        self.responses = 0     # answers to our checks
        self.dtls = 0
        self.media = []        # arrival times of RTP/RTCP
        self.other = 0

    def connection_made(self, transport):
        self.transport = transport

    def datagram_received(self, data, addr):
        if not data:
            return
        first = data[0]
        if first < 4 and len(data) >= 20:
            kind = struct.unpack_from("!H", data)[0]
            if kind == BINDING_REQUEST:
                self.requests.append(data)
            elif kind == BINDING_SUCCESS:
                self.responses += 1
            else:
                self.other += 1
        elif 20 <= first <= 63:
            self.dtls += 1
        elif 128 <= first <= 191:
            self.media.append(time.monotonic())
        else:
            self.other += 1

    def not_stun(self):
        return len(self.media) + self.dtls + self.other

    def summary(self):
        return "%d server checks, %d answers, %d DTLS, %d RTP/RTCP, %d other" % (
            len(self.requests), self.responses, self.dtls, len(self.media), self.other)


async def bind(name, host, port=0):
    loop = asyncio.get_event_loop()
    _, protocol = await loop.create_datagram_endpoint(lambda: Counter(name), local_addr=(host, port))
    return protocol


def sdp_value(sdp, pattern):
    m = re.search(pattern, sdp, re.M)
    if not m:
        raise AegisError("bad_offer", "no %s in the SDP" % pattern)
    return m.groups() if len(m.groups()) > 1 else m.group(1)


def ice_connection(pc):
    """aiortc 1.4's aioice Connection behind the (bundled) transport of `pc`."""
    for transceiver in pc.getTransceivers():
        dtls = transceiver.receiver.transport
        if dtls is not None:
            return dtls.transport._connection
    return None


class Monitor:
    """Samples the subscriber's decoded-frame counters every 100 ms."""

    def __init__(self, client):
        self.client = client
        self.task = None

    def video(self):
        return self.client.media.frames("video")

    def audio(self):
        return self.client.media.frames("audio")

    def max_gap(self, kind):
        """The longest wait between two frames, counting the one still going on."""
        now = time.monotonic()
        return max((max(c.max_gap_s, now - c.last_at) for c in self.client.media.counters(kind)
                    if c.last_at is not None), default=99.0)


async def main():
    tokens = {name: os.environ.get("AEGIS_TOKEN_" + name, "") for name in ("PUB", "SUB")}
    for name, token in tokens.items():
        if token.count(".") != 2:
            print("FAIL: AEGIS_TOKEN_%s is missing or not a JWT" % name)
            return 1
    pub = AegisClient(URL, origin=SAME_ORIGIN, label="publisher")
    sub = AegisClient(URL, origin=SAME_ORIGIN, label="subscriber")
    video, audio = MovingVideoTrack(320, 240), ToneAudioTrack()
    third = spoof = None
    try:
        await sub.connect()
        await sub.join("H", tokens["SUB"])
        await pub.connect()
        await pub.join("H", tokens["PUB"])
        await pub.publish([video, audio])
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and (sub.media.frames("video") < 30 or sub.media.frames("audio") < 50):
            await asyncio.sleep(0.1)
        if not check("the call starts", sub.media.frames("video") >= 30 and sub.media.frames("audio") >= 50,
                     "the subscriber decoded %s" % sub.media.summary()):
            return 1

        # What the subscriber knows of its own connection.
        offer, answer = sub.subscriber.remoteDescription.sdp, sub.subscriber.localDescription.sdp
        server_ufrag = sdp_value(offer, r"^a=ice-ufrag:(\S+)")
        server_pwd = sdp_value(offer, r"^a=ice-pwd:(\S+)")
        client_ufrag = sdp_value(answer, r"^a=ice-ufrag:(\S+)")
        client_pwd = sdp_value(answer, r"^a=ice-pwd:(\S+)")
        host, port = sdp_value(offer, r"^a=candidate:\S+ 1 udp \d+ (\S+) (\d+) typ host")
        server = (host, int(port))
        connection = ice_connection(sub.subscriber)
        pair = connection._nominated.get(1) if connection else None
        if not check("the subscriber's path is known", pair is not None,
                     "server %s:%d, client %s" % (server[0], server[1],
                                                  pair.protocol.transport.get_extra_info("sockname") if pair else "?")):
            return 1
        client_addr = pair.protocol.transport.get_extra_info("sockname")[:2]
        to_server = "%s:%s" % (server_ufrag, client_ufrag)   # what the client signs
        from_server = "%s:%s" % (client_ufrag, server_ufrag)  # what the server's own checks must carry

        # Phase 1: signed checks from a third party's address.
        third = await bind("third party", THIRD_PARTY)
        for c in sub.media.tracks:
            c.reset_gap()
        monitor = Monitor(sub)
        v0, a0, t0 = monitor.video(), monitor.audio(), time.monotonic()
        sent = 0
        while time.monotonic() - t0 < ATTACK_S:
            third.transport.sendto(signed_check(to_server, server_pwd), server)
            sent += 1
            await asyncio.sleep(0.25)
        await asyncio.sleep(3.0)  # let every retransmission of the server's checks arrive
        took = time.monotonic() - t0
        dv, da = monitor.video() - v0, monitor.audio() - a0
        check("reflector: the third party gets no media and no DTLS", third.not_stun() == 0,
              "%d signed checks from %s; it received %s" % (sent, THIRD_PARTY, third.summary()))
        problems = sorted({p for r in third.requests for p in server_check_problems(r, from_server, client_pwd)})
        check("reflector: the server verified the third party's address with its own check",
              third.requests and not problems,
              "%d Binding requests from the server%s" % (len(third.requests),
                                                         "; " + "; ".join(problems) if problems else ""))
        # One verification at a time per address, four transmissions each within ~3 s.
        check("reflector: the server's checks to the victim stay few", len(third.requests) <= 4 * (took / 2.5 + 1),
              "%d Binding requests in %.1f s for %d checks" % (len(third.requests), took, sent))
        want_v, want_a = int(15 * took), int(25 * took)
        check("reflector: the real subscriber keeps receiving",
              dv >= want_v and da >= want_a and monitor.max_gap("video") < 1.0 and monitor.max_gap("audio") < 1.0,
              "%.1f s: +%d video frames (need %d), +%d audio (need %d), longest gaps %.2f s video, %.2f s audio" % (
                  took, dv, want_v, da, want_a, monitor.max_gap("video"), monitor.max_gap("audio")))

        # Phase 2: the real client vanishes; the attacker holds its address.
        if connection._query_consent_handle is not None:
            connection._query_consent_handle.cancel()  # it would only fail on the closed sockets
        for protocol in list(connection._protocols):
            if protocol.transport is not None:
                protocol.transport.close()
        vanished = time.monotonic()
        spoof = None
        for _ in range(50):
            try:
                spoof = await bind("client's old address", *client_addr)
                break
            except OSError:
                await asyncio.sleep(0.02)
        if not check("phase 2: the attacker holds the client's old address", spoof is not None,
                     "%s:%d" % tuple(client_addr)):
            return 1
        sub_messages, pub_messages = len(sub.messages), len(pub.messages)
        removed_at = None
        third_before = third.not_stun()
        while time.monotonic() - vanished < CONSENT_S + 12:
            spoof.transport.sendto(signed_check(to_server, server_pwd), server)
            third.transport.sendto(signed_check(to_server, server_pwd), server)
            await asyncio.sleep(1.0)
            if removed_at is None and any(m.get("type") == "participant_left" and
                                          m.get("participant_id") == sub.participant_id
                                          for m in pub.messages[pub_messages:]):
                removed_at = time.monotonic() - vanished
        last_media = (spoof.media[-1] - vanished) if spoof.media else None
        late = [t - vanished for t in spoof.media if t - vanished > CONSENT_S + 3]
        check("consent: media to the old address stops 30 s after the last answer, whatever checks arrive",
              spoof.media and last_media <= CONSENT_S + 3 and not late,
              "%d RTP/RTCP datagrams there after the client vanished, the last %s s after; %d after %.0f s; "
              "%d server checks there, none answered" % (
                  len(spoof.media), "%.1f" % last_media if last_media is not None else "-", len(late),
                  CONSENT_S + 3, len(spoof.requests)))
        errors = [m.get("code") for m in sub.messages[sub_messages:] if m.get("type") == "error"]
        check("consent: the server removed the vanished subscriber",
              removed_at is not None and 20 <= removed_at <= CONSENT_S + 6 and "internal" in errors,
              "participant_left %s s after it vanished, its errors %s" % (
                  "%.1f" % removed_at if removed_at is not None else "never", errors or "none"))
        check("consent: the third party still gets no media and no DTLS", third.not_stun() == third_before == 0,
              third.summary())
    except AegisError as e:
        check("the call runs", False, "refused: %s" % e)
    finally:
        for endpoint in (third, spoof):
            if endpoint is not None and endpoint.transport is not None:
                endpoint.transport.close()
        await pub.close()
        await sub.close()
    print("ice hijack: %d passed, %d failed" % (passed, failed), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))

#!/usr/bin/python3
"""Interop test: aegis-echo's ICE-lite agent against STUN Binding requests
built by hand here (RFC 8489 + RFC 8445), with no WebRTC stack involved.

Run inside a network namespace through echo_interop.sh with the expected
profile "-" (nothing here completes DTLS). POSTs a hand-written offer to
/whip, takes the server's ice-ufrag, ice-pwd and host candidate from the
answer, then sends to that candidate, each fatal if it fails:
  1. a check whose MESSAGE-INTEGRITY uses a WRONG password: no answer at all
     within 2 s;
  2. a check signed with the right password, then altered (PRIORITY) with a
     fresh FINGERPRINT: no answer within 2 s;
  3. a check signed with the RIGHT password (the answer's ice-pwd): exactly
     one Binding success response with the same transaction ID, a XOR-MAPPED-ADDRESS
     naming this socket, a MESSAGE-INTEGRITY that verifies with that password
     (and not with the wrong one) and a valid FINGERPRINT. The server's own
     Binding requests to this socket (return routability for the nomination:
     "<our ufrag>:<its ufrag>", signed with our password) are counted apart and
     left unanswered, so nothing is selected and no DTLS may follow.
Case 3 is what shows cases 1 and 2 can fail.
"""
import binascii
import hashlib
import hmac
import os
import re
import socket
import struct
import sys
import time
import urllib.request

PORT = sys.argv[-1] if len(sys.argv) > 1 else "8080"
WHIP = "http://127.0.0.1:%s/whip" % PORT
MAGIC = 0x2112A442
BINDING_REQUEST, BINDING_SUCCESS = 0x0001, 0x0101
USERNAME, MESSAGE_INTEGRITY, XOR_MAPPED_ADDRESS = 0x0006, 0x0008, 0x0020
PRIORITY, USE_CANDIDATE, FINGERPRINT, ICE_CONTROLLING = 0x0024, 0x0025, 0x8028, 0x802A
FINGERPRINT_XOR = 0x5354554E

# Our side of the offer: ICE credentials (RFC 8839: ufrag >= 4, pwd >= 22
# ice-chars), a sha-256 fingerprint of 32 arbitrary bytes (nothing here
# reaches DTLS), BUNDLE, rtcp-mux, a mid and Opus.
CLIENT_UFRAG = "stUn"
CLIENT_PWD = "handMadeStunPassword0123"
OFFER = "\r\n".join([
    "v=0",
    "o=- 4611731400430051336 2 IN IP4 127.0.0.1",
    "s=-",
    "t=0 0",
    "a=group:BUNDLE 0",
    "m=audio 9 UDP/TLS/RTP/SAVPF 111",
    "c=IN IP4 0.0.0.0",
    "a=ice-ufrag:" + CLIENT_UFRAG,
    "a=ice-pwd:" + CLIENT_PWD,
    "a=fingerprint:sha-256 " + ":".join("%02X" % b for b in hashlib.sha256(b"not a certificate").digest()),
    "a=setup:actpass",
    "a=mid:0",
    "a=sendrecv",
    "a=rtcp-mux",
    "a=rtpmap:111 opus/48000/2",
    "a=ssrc:1111 cname:stun-test",
    "",
])


def post_offer(sdp):
    req = urllib.request.Request(WHIP, data=sdp.encode(), method="POST",
                                 headers={"Content-Type": "application/sdp"})
    with urllib.request.urlopen(req, timeout=10) as resp:
        if resp.status != 201:
            raise RuntimeError("WHIP status %d" % resp.status)
        return resp.read().decode()


def attribute(kind, value):
    padding = b"\0" * (-len(value) % 4)
    return struct.pack("!HH", kind, len(value)) + value + padding


def header(kind, body_length, transaction_id):
    return struct.pack("!HHI", kind, body_length, MAGIC) + transaction_id


def message_integrity(key, kind, body, transaction_id):
    # RFC 8489 §14.5: HMAC-SHA1 over the message up to the attribute, with
    # the header's length already counting the attribute itself (24 bytes).
    return hmac.new(key, header(kind, len(body) + 24, transaction_id) + body, hashlib.sha1).digest()


def fingerprint(kind, body, transaction_id):
    # RFC 8489 §14.7: CRC-32 up to the attribute, length counting it (8).
    crc = binascii.crc32(header(kind, len(body) + 8, transaction_id) + body) & 0xFFFFFFFF
    return crc ^ FINGERPRINT_XOR


def binding_request(username, password, transaction_id, alter_after_signing=False):
    body = attribute(USERNAME, username.encode())
    body += attribute(PRIORITY, struct.pack("!I", 0x6E7F1EFF))
    body += attribute(ICE_CONTROLLING, os.urandom(8))
    body += attribute(USE_CANDIDATE, b"")
    mi = message_integrity(password.encode(), BINDING_REQUEST, body, transaction_id)
    if alter_after_signing:
        # The PRIORITY value sits right after USERNAME's header and value.
        at = 4 + len(attribute(USERNAME, username.encode())) + 4
        body = body[:at] + bytes([body[at] ^ 1]) + body[at + 1:]
    body += attribute(MESSAGE_INTEGRITY, mi)
    body += attribute(FINGERPRINT, struct.pack("!I", fingerprint(BINDING_REQUEST, body, transaction_id)))
    return header(BINDING_REQUEST, len(body), transaction_id) + body


def parse_attributes(message):
    """(type, value, offset of the attribute) for each attribute."""
    out, at = [], 20
    while at + 4 <= len(message):
        kind, length = struct.unpack_from("!HH", message, at)
        if at + 4 + length > len(message):
            raise ValueError("attribute overruns the message")
        out.append((kind, message[at + 4:at + 4 + length], at))
        at += 4 + length + (-length % 4)
    if at != len(message):
        raise ValueError("trailing bytes")
    return out


def check_response(data, transaction_id, password, wrong_password, local):
    """A list of problems with a Binding success response (empty if none)."""
    problems = []
    if len(data) < 20:
        return ["response shorter than a STUN header"]
    kind, length, magic = struct.unpack_from("!HHI", data)
    if kind != BINDING_SUCCESS:
        problems.append("type 0x%04x, want Binding success 0x0101" % kind)
    if magic != MAGIC or length + 20 != len(data):
        problems.append("bad magic cookie or length")
    if data[8:20] != transaction_id:
        problems.append("transaction ID differs from the request's")
    attrs = {k: (v, at) for k, v, at in parse_attributes(data)}
    if XOR_MAPPED_ADDRESS not in attrs:
        problems.append("no XOR-MAPPED-ADDRESS")
    else:
        value = attrs[XOR_MAPPED_ADDRESS][0]
        family, xport = struct.unpack_from("!xBH", value)
        address = bytes(a ^ b for a, b in zip(value[4:8], struct.pack("!I", MAGIC)))
        mapped = (socket.inet_ntoa(address), xport ^ (MAGIC >> 16))
        if family != 1 or mapped != local:
            problems.append("XOR-MAPPED-ADDRESS %s, want %s" % (mapped, local))
    if MESSAGE_INTEGRITY not in attrs:
        problems.append("no MESSAGE-INTEGRITY")
    else:
        value, at = attrs[MESSAGE_INTEGRITY]
        body = data[20:at]
        if not hmac.compare_digest(value, message_integrity(password.encode(), kind, body, transaction_id)):
            problems.append("MESSAGE-INTEGRITY does not verify with the server's ice-pwd")
        if hmac.compare_digest(value, message_integrity(wrong_password.encode(), kind, body, transaction_id)):
            problems.append("MESSAGE-INTEGRITY verifies with a wrong password")
    if FINGERPRINT not in attrs:
        problems.append("no FINGERPRINT")
    else:
        value, at = attrs[FINGERPRINT]
        if struct.unpack("!I", value)[0] != fingerprint(kind, data[20:at], transaction_id):
            problems.append("FINGERPRINT does not verify")
    return problems


def receive(sock, seconds):
    """Every datagram that arrives within `seconds`."""
    got, deadline = [], time.monotonic() + seconds
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return got
        sock.settimeout(left)
        try:
            got.append(sock.recvfrom(2048)[0])
        except socket.timeout:
            return got


def main():
    answer = post_offer(OFFER)
    ufrag = re.search(r"^a=ice-ufrag:(\S+)", answer, re.M).group(1)
    pwd = re.search(r"^a=ice-pwd:(\S+)", answer, re.M).group(1)
    cand = re.search(r"^a=candidate:\S+ 1 udp \d+ (\S+) (\d+) typ host", answer, re.M | re.I)
    server = (cand.group(1), int(cand.group(2)))
    wrong = pwd[:-1] + ("A" if pwd[-1] != "A" else "B")
    print("stun: answer ufrag=%s pwd=%d chars candidate=%s:%d" % (ufrag, len(pwd), server[0], server[1]))
    username = "%s:%s" % (ufrag, CLIENT_UFRAG)
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    local = sock.getsockname()
    failures, passed = 0, 0

    for name, request in [
            ("wrong password", binding_request(username, wrong, os.urandom(12))),
            ("altered after signing", binding_request(username, pwd, os.urandom(12), alter_after_signing=True))]:
        sock.sendto(request, server)
        got = receive(sock, 2.0)
        print("stun: %s: %d responses in 2 s" % (name, len(got)))
        if got:
            print("FAIL: %s: the server answered (%s)" % (name, got[0][:4].hex()))
            failures += 1
        else:
            passed += 1

    transaction_id = os.urandom(12)
    sock.sendto(binding_request(username, pwd, transaction_id), server)
    got = receive(sock, 2.0)
    # RFC 7983: STUN starts with 0-3, DTLS with 20-63. The server checks this
    # address with Binding requests of its own before it selects it; they
    # stay unanswered here, so no DTLS may follow.
    requests = [d for d in got if len(d) >= 20 and d[0] < 4 and struct.unpack_from("!H", d)[0] == BINDING_REQUEST]
    stun = [d for d in got if d and d[0] < 4 and d not in requests]
    dtls = [d for d in got if d and 20 <= d[0] <= 63]
    print("stun: right password: %d STUN responses, %d Binding requests of the server's own, %d DTLS records in 2 s"
          % (len(stun), len(requests), len(dtls)))
    problems = check_response(stun[0], transaction_id, pwd, wrong, local) if stun else ["no STUN response"]
    if len(stun) > 1:
        problems.append("%d STUN responses to one request" % len(stun))
    if not requests:
        problems.append("the server did not check this address before selecting it")
    for r in requests:
        attrs = {k: v for k, v, _ in parse_attributes(r)}
        if attrs.get(USERNAME) != ("%s:%s" % (CLIENT_UFRAG, ufrag)).encode():
            problems.append("the server's check names %r" % attrs.get(USERNAME))
        mi_at = [at for k, _, at in parse_attributes(r) if k == MESSAGE_INTEGRITY]
        if not mi_at or not hmac.compare_digest(
                attrs[MESSAGE_INTEGRITY], message_integrity(CLIENT_PWD.encode(), BINDING_REQUEST, r[20:mi_at[0]],
                                                            r[8:20])):
            problems.append("the server's check is not signed with our ice-pwd")
    if dtls:
        problems.append("%d DTLS records to an address that never answered the server's check" % len(dtls))
    if len(stun) + len(requests) + len(dtls) != len(got):
        problems.append("%d datagrams that are neither STUN nor DTLS"
                        % (len(got) - len(stun) - len(requests) - len(dtls)))
    for p in problems:
        print("FAIL: right password: %s" % p)
    if problems:
        failures += 1
    else:
        print("stun: right password: Binding success, XOR-MAPPED-ADDRESS %s:%d, MESSAGE-INTEGRITY and "
              "FINGERPRINT verify" % local)
        passed += 1
    print("stun: %d passed, %d failed" % (passed, failures))
    return 1 if failures else 0


sys.exit(main())

#!/usr/bin/env python3
"""The relay refuses to reach anything but the media server (turn_relay.sh).

A TURN client with a valid credential (minted as aegis serve mints them, from
the shared secret) allocates on the coturn that runs
packaging/coturn/turnserver.conf.example, then asks for permissions: for the
relay's own loopback, for another private address next to the media server,
and for a cloud metadata address, each must be refused with 403 (the
CVE-2020-26262 class); for the media server it must succeed, so the refusals
are not a broken client. Messages are built and checked with aioice's STUN
codec (long-term credentials, RFC 8656 §9.2).

  turn_peer_denied.py TURN_ADDRESS SECRET_FILE MEDIA_ADDRESS
Prints one line per check and `turn peer denial: N passed, N failed`.
"""
import base64
import hashlib
import hmac
import os
import socket
import sys
import time

from aioice import stun, turn

turn_address, secret_file, media_address = sys.argv[1], sys.argv[2], sys.argv[3]
secret = open(secret_file, encoding="ascii").read().strip()
username = f"{int(time.time()) + 600}:prober"
password = base64.b64encode(hmac.new(secret.encode(), username.encode(), hashlib.sha1).digest()).decode()

sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.settimeout(2.0)
server = (turn_address, 3478)
passed = failed = 0


def check(name, ok, detail):
    global passed, failed
    passed += ok
    failed += not ok
    print(f"{'ok  ' if ok else 'FAIL'} {name}: {detail}")


def transact(method, attributes, key=None):
    request = stun.Message(message_method=method, message_class=stun.Class.REQUEST,
                           transaction_id=os.urandom(12))
    request.attributes.update(attributes)
    if key:
        request.add_message_integrity(key)  # and FINGERPRINT
    for _ in range(3):
        sock.sendto(bytes(request), server)
        try:
            data, _ = sock.recvfrom(2048)
        except socket.timeout:
            continue
        response = stun.parse_message(data)
        if response.transaction_id == request.transaction_id:
            return response
    raise SystemExit(f"FAIL: no answer from the relay at {turn_address}:3478")


first = transact(stun.Method.ALLOCATE, {"REQUESTED-TRANSPORT": turn.UDP_TRANSPORT})
realm, nonce = first.attributes.get("REALM"), first.attributes.get("NONCE")
check("an unauthenticated allocation is challenged", first.message_class == stun.Class.ERROR and
      first.attributes.get("ERROR-CODE", (0,))[0] == 401, str(first.attributes.get("ERROR-CODE")))
key = turn.make_integrity_key(username, realm, password)
auth = {"USERNAME": username, "REALM": realm, "NONCE": nonce}
allocated = transact(stun.Method.ALLOCATE, {"REQUESTED-TRANSPORT": turn.UDP_TRANSPORT, **auth}, key)
check("a minted credential allocates", allocated.message_class == stun.Class.RESPONSE,
      f"relayed address {allocated.attributes.get('XOR-RELAYED-ADDRESS')}")

for peer, why in [("127.0.0.1", "the relay's loopback"), ("10.88.0.3", "a private address next to the media server"),
                  ("169.254.169.254", "a cloud metadata address")]:
    answer = transact(stun.Method.CREATE_PERMISSION, {"XOR-PEER-ADDRESS": (peer, 0), **auth}, key)
    code = answer.attributes.get("ERROR-CODE", (0, ""))
    check(f"no permission for {peer} ({why})", answer.message_class == stun.Class.ERROR and code[0] == 403,
          f"class {answer.message_class.name}, error {code}")
answer = transact(stun.Method.CREATE_PERMISSION, {"XOR-PEER-ADDRESS": (media_address, 0), **auth}, key)
check(f"a permission for the media server {media_address}", answer.message_class == stun.Class.RESPONSE,
      f"class {answer.message_class.name}, error {answer.attributes.get('ERROR-CODE')}")

print(f"turn peer denial: {passed} passed, {failed} failed")
sys.exit(0 if failed == 0 and passed > 0 else 1)

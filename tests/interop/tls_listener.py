"""Checks `aegis serve` on a non-loopback address (see tls_listener.sh).

Each check prints one line; any failure exits non-zero."""
import asyncio
import hashlib
import json
import os
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import warnings

import websockets

AEGIS, HOST = sys.argv[1], sys.argv[2]
PORT = 18445
failures = 0


def check(name, ok, detail=""):
    global failures
    print(f"{'ok  ' if ok else 'FAIL'} {name}: {detail}", flush=True)
    if not ok:
        failures += 1


def insecure_context():
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE  # self-signed: we pin the fingerprint instead
    return ctx


def https(path, method="GET", body=None, headers=None):
    req = urllib.request.Request(f"https://{HOST}:{PORT}{path}", data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, context=insecure_context(), timeout=5) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def served_fingerprint(max_version=None, min_version=None, ciphers=None):
    ctx = insecure_context()
    if ciphers:
        ctx.set_ciphers(ciphers)
    if max_version:
        ctx.maximum_version = max_version
    if min_version:
        ctx.minimum_version = min_version
    with socket.create_connection((HOST, PORT), timeout=5) as raw:
        with ctx.wrap_socket(raw) as tls:
            der = tls.getpeercert(binary_form=True)
            return ":".join(f"{b:02X}" for b in hashlib.sha256(der).digest()), tls.version()


def old_client_handshake(max_version):
    """Offers TLS 1.0..max_version with SECLEVEL=0 ciphers; returns (refused
    by the server's protocol_version alert, detail)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # the point is to offer an old version
            _, version = served_fingerprint(max_version=max_version, min_version=ssl.TLSVersion.TLSv1,
                                            ciphers="DEFAULT:@SECLEVEL=0")
        return False, f"handshake succeeded with {version}"
    except ssl.SSLError as e:
        # The alert comes from the server: OpenSSL names it TLSV1_ALERT_PROTOCOL_VERSION
        # ("tlsv1 alert protocol version"). A client-side refusal would be
        # NO_PROTOCOLS_AVAILABLE or NO_CIPHERS_AVAILABLE instead.
        text = f"{e.reason} {e}"
        return "ALERT_PROTOCOL_VERSION" in text.upper().replace(" ", "_"), text
    except OSError as e:
        return False, f"not a TLS alert: {e!r}"


async def wss_join(token, room, origin=None):
    ws = await websockets.connect(f"wss://{HOST}:{PORT}/ws", ssl=insecure_context(), origin=origin)
    await ws.send(json.dumps({"v": 2, "type": "join", "room": room, "token": token}))
    reply = json.loads(await asyncio.wait_for(ws.recv(), 5))
    return ws, reply


async def main():
    data = tempfile.mkdtemp()
    server = subprocess.Popen([AEGIS, "serve", "--listen", f"{HOST}:{PORT}", "--data", data, "--media-port", "41200"],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    banner = []
    deadline = time.time() + 10
    while time.time() < deadline:
        line = server.stdout.readline()
        if not line:
            break
        banner.append(line.rstrip())
        if line.strip().startswith("tokens"):
            break
    print("\n".join("  | " + l for l in banner))
    check("serves https on a non-loopback address without being asked",
          any(f"open      https://{HOST}:{PORT}/" in l for l in banner), "banner names an https URL")
    printed = next((l.split("SHA-256 ")[1] for l in banner if "SHA-256 " in l), "")
    fingerprint, version = served_fingerprint()
    check("the printed certificate fingerprint is the served one", printed == fingerprint,
          f"printed {printed[:23]}... served {fingerprint[:23]}...")
    check("TLS 1.2 or later negotiated", version in ("TLSv1.2", "TLSv1.3"), version)
    # TLS 1.1 refusal: a client that can really speak TLS 1.0/1.1 (SECLEVEL=0
    # re-enables their SHA-1 suites, which OpenSSL 3 otherwise refuses on the
    # client before the server decides) must get the server's protocol_version
    # alert; the same client allowed TLS 1.2 is the positive control.
    old_ok, old_detail = old_client_handshake(ssl.TLSVersion.TLSv1_1)
    check("TLS 1.1 refused by the server with a protocol_version alert", old_ok, old_detail)
    try:
        _, version12 = served_fingerprint(max_version=ssl.TLSVersion.TLSv1_2, min_version=ssl.TLSVersion.TLSv1,
                                          ciphers="DEFAULT:@SECLEVEL=0")
        check("control: the same permissive client capped at TLS 1.2 connects", version12 == "TLSv1.2", version12)
    except (ssl.SSLError, OSError) as e:
        check("control: the same permissive client capped at TLS 1.2 connects", False, repr(e))

    status, headers, _ = https("/")
    check("app page over https", status == 200, f"status {status}")
    check("HSTS on TLS", headers.get("Strict-Transport-Security") == "max-age=31536000",
          headers.get("Strict-Transport-Security", "(absent)"))
    csp = headers.get("Content-Security-Policy", "")
    check("CSP: no inline script, no framing",
          "script-src 'self'" in csp and "unsafe" not in csp and "frame-ancestors 'none'" in csp, csp)
    status, _, _ = https("/api/dev-token", "POST", b'{"room":"x"}', {"Content-Type": "application/json"})
    check("no dev-token endpoint off loopback", status == 404, f"status {status}")

    # Plain HTTP to the same port gets no HTTP answer.
    with socket.create_connection((HOST, PORT), timeout=5) as raw:
        raw.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        raw.settimeout(5)
        try:
            answer = raw.recv(100)
        except (ConnectionResetError, socket.timeout):
            answer = b""
    check("plain HTTP is not served", not answer.startswith(b"HTTP/"), repr(answer[:20]))

    token = subprocess.run([AEGIS, "token", "create", "--data", data, "--room", "R", "--identity", "tls-user",
                            "--ttl", "5m"], capture_output=True, text=True, check=True).stdout.strip()
    try:
        await wss_join(token, "R", origin="https://evil.example")
        check("cross-site WebSocket refused", False, "upgrade accepted")
    except websockets.exceptions.InvalidStatusCode as e:
        check("cross-site WebSocket refused", e.status_code == 403, f"HTTP {e.status_code}")
    ws, reply = await wss_join(token, "R", origin=f"https://{HOST}:{PORT}")
    check("WSS join with a valid token", reply.get("type") == "joined", json.dumps(reply)[:80])

    started = time.time()
    server.send_signal(signal.SIGTERM)
    notice = None
    try:
        while True:
            message = json.loads(await asyncio.wait_for(ws.recv(), 5))
            if message.get("type") == "error":
                notice = message
    except (websockets.exceptions.ConnectionClosed, asyncio.TimeoutError):
        pass
    check("SIGTERM tells a joined participant", notice is not None and notice.get("code") == "shutting_down",
          json.dumps(notice))
    check("the socket is closed by the server", ws.closed, f"close code {ws.close_code}")
    try:
        code = server.wait(timeout=5)
    except subprocess.TimeoutExpired:
        server.kill()
        code = "hung"
    check("server exits 0 after SIGTERM", code == 0, f"exit {code} after {time.time() - started:.2f} s")
    print(server.stdout.read())
    print(f"tls listener: {failures} failure(s)")
    return 1 if failures else 0


sys.exit(asyncio.run(main()))

#!/usr/bin/python3
"""Connection slots without a token, against the running server (issue 9 item 3).

Run through connection_slots.sh (inside run_in_netns.sh), which starts two
`aegis serve` without --dev: one on 127.0.0.1 (V4_PORT), one on [::1]
(V6_PORT), and gives the namespace's loopback the IPv6 prefixes
fd00:aa::/64, fd00:bb::/64 and fd00:cc::/64 to connect from:
    connection_slots.py V4_PORT V6_PORT
with AEGIS_TOKEN_OFFICE, AEGIS_TOKEN_EARLY and AEGIS_TOKEN_LEGIT (room F) and
AEGIS_SERVER_PID (the IPv4 server's process, whose sockets are counted) in
the environment. The checks, each bounded in time:
  - no dev-token endpoint without --dev (HTTP 404);
  - IPv6 sources are counted per /64: 40 connections from 40 addresses of
    fd00:aa::/64 get 32 slots, a 41st from fd00:bb::/64 still gets one;
  - an office behind one NAT (127.0.0.4) whose browsers hold 32 idle
    keep-alive connections can still load the page and join;
  - an idle keep-alive connection is closed after about 5 s; one that sends
    a request every second is still closed 30 s after it opened (keep-alive
    does not extend the deadline of a connection that never joins); one
    connection answers at most 100 requests;
  - fairness: a participant joins room F (127.0.0.3); then one source with 32
    addresses (127.0.1.1-32) opens 32 connections from each, half raw TCP that
    never send a request and half WebSockets that never join, and reopens
    every one the server closes. Once the server holds its 1000 slots, a
    client from 127.0.0.6 loads the page and joins within 5 s, and the
    source cannot take that slot back: 3 s later both participants still
    answer ping.
Prints one line per check, then `connection slots: N passed, N failed`.
"""
import asyncio
import os
import resource
import sys
import time

import websockets

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from aegis_client import AegisClient, AegisError  # noqa: E402

V4_PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 18500
V6_PORT = int(sys.argv[2]) if len(sys.argv) > 2 else 18501
V4_URL = "ws://127.0.0.1:%d/ws" % V4_PORT
TOKENS = {n: os.environ.get("AEGIS_TOKEN_" + n, "") for n in ("OFFICE", "EARLY", "LEGIT")}
SERVER_PID = os.environ.get("AEGIS_SERVER_PID", "")
PER_ADDRESS = 32
TOTAL = 1000

passed = 0
failed = 0


def check(name, ok, detail):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
    print("%s %s: %s" % ("ok  " if ok else "FAIL", name, detail), flush=True)


# --- raw HTTP ------------------------------------------------------------------


class Http:
    """One keep-alive HTTP/1.1 connection."""

    def __init__(self, reader, writer, host):
        self.reader, self.writer, self.host = reader, writer, host

    @classmethod
    async def open(cls, v6=False, source=None, timeout=5.0):
        host, port = ("::1", V6_PORT) if v6 else ("127.0.0.1", V4_PORT)
        reader, writer = await asyncio.wait_for(
            asyncio.open_connection(host, port, local_addr=(source, 0) if source else None), timeout)
        return cls(reader, writer, ("[::1]:%d" % port) if v6 else ("127.0.0.1:%d" % port))

    async def request(self, method="GET", path="/", headers=None, body=b"", timeout=5.0):
        """Sends one request; returns (status, headers dict, body); raises on EOF or timeout."""
        head = "%s %s HTTP/1.1\r\nHost: %s\r\n" % (method, path, self.host)
        for k, v in (headers or {}).items():
            head += "%s: %s\r\n" % (k, v)
        if body or method == "POST":
            head += "Content-Length: %d\r\n" % len(body)
        self.writer.write(head.encode() + b"\r\n" + body)
        await self.writer.drain()
        raw = await asyncio.wait_for(self.reader.readuntil(b"\r\n\r\n"), timeout)
        lines = raw.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        fields = {}
        for line in lines[1:]:
            if ":" in line:
                k, v = line.split(":", 1)
                fields[k.strip().lower()] = v.strip()
        length = int(fields.get("content-length", "0"))
        content = await asyncio.wait_for(self.reader.readexactly(length), timeout) if length else b""
        return status, fields, content

    async def closed_within(self, seconds):
        """Whether the server closes the connection within `seconds` (reads and drops anything it sends)."""
        deadline = time.monotonic() + seconds
        try:
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                if not await asyncio.wait_for(self.reader.read(4096), left):
                    return True
        except asyncio.TimeoutError:
            return False
        except ConnectionError:
            return True

    def close(self):
        self.writer.close()


async def raw_connect(v6, source, timeout=5.0):
    host, port = ("::1", V6_PORT) if v6 else ("127.0.0.1", V4_PORT)
    return await asyncio.wait_for(asyncio.open_connection(host, port, local_addr=(source, 0)), timeout)


async def held_after(reader, seconds):
    """True if the server has not closed the connection after `seconds`."""
    try:
        data = await asyncio.wait_for(reader.read(1), seconds)
        return bool(data)
    except asyncio.TimeoutError:
        return True
    except ConnectionError:
        return False


def server_sockets():
    """How many sockets the IPv4 server process has open (TCP and UDP), or -1."""
    if not SERVER_PID:
        return -1
    count = 0
    try:
        for fd in os.listdir("/proc/%s/fd" % SERVER_PID):
            try:
                if os.readlink("/proc/%s/fd/%s" % (SERVER_PID, fd)).startswith("socket:"):
                    count += 1
            except OSError:
                pass
    except OSError:
        return -1
    return count


# --- the checks ------------------------------------------------------------------


async def check_no_dev_tokens():
    http = await Http.open()
    try:
        status, _, _ = await http.request("POST", "/api/dev-token", {"Content-Type": "application/json"},
                                          b'{"room":"F","name":"x"}')
    finally:
        http.close()
    check("no dev-token endpoint without --dev", status == 404, "POST /api/dev-token from loopback -> HTTP %d" % status)


async def check_ipv6_slash64():
    conns = []
    for i in range(1, 41):
        conns.append(await raw_connect(True, "fd00:aa::%x" % i))
    held = await asyncio.gather(*(held_after(r, 1.0) for r, _ in conns))
    other_reader, other_writer = await raw_connect(True, "fd00:bb::1")
    other_held = await held_after(other_reader, 1.0)
    for _, w in conns + [(other_reader, other_writer)]:
        w.close()
    n = sum(held)
    check("IPv6 sources are counted per /64", n == PER_ADDRESS and other_held,
          "40 connections from 40 addresses of fd00:aa::/64 -> %d held (want %d); one from fd00:bb::/64 held: %s" % (
              n, PER_ADDRESS, other_held))


async def check_office_behind_nat():
    # Every browser of the office keeps its page connections open after
    # loading: 32 idle keep-alive connections from one address.
    idle = []
    statuses = []
    for _ in range(PER_ADDRESS):
        http = await Http.open(source="127.0.0.4")
        statuses.append((await http.request())[0])
        idle.append(http)
    page_status = -1
    try:
        newcomer = await Http.open(source="127.0.0.4")
        page_status = (await newcomer.request())[0]
        newcomer.close()
    except (OSError, asyncio.TimeoutError, asyncio.IncompleteReadError) as e:
        page_status = "refused (%s)" % type(e).__name__
    joined = "no"
    client = AegisClient(V4_URL, local_addr="127.0.0.4", label="office", request_keyframes=False)
    try:
        await asyncio.wait_for(client.connect(), 5)
        joined = (await client.join("F", TOKENS["OFFICE"], timeout=5))["type"]
    except (AegisError, OSError, asyncio.TimeoutError, websockets.WebSocketException) as e:
        joined = "refused (%s)" % e
    await client.close()
    closed = sum([await h.closed_within(0.2) for h in idle])
    for h in idle:
        h.close()
    check("an office behind one NAT is not locked out by idle keep-alive connections",
          all(s == 200 for s in statuses) and page_status == 200 and joined == "joined",
          "32 keep-alive connections from 127.0.0.4 loaded the page (%s); then from the same address the page -> %s, "
          "join -> %s; of the 32 idle ones, %d closed meanwhile (to make room, or idle for 5 s)" % (
              "all 200" if all(s == 200 for s in statuses) else statuses, page_status, joined, closed))


async def check_idle_keep_alive_closed():
    http = await Http.open(v6=True, source="fd00:cc::1")
    status, _, _ = await http.request()
    t0 = time.monotonic()
    closed = await http.closed_within(10)
    waited = time.monotonic() - t0
    http.close()
    check("an idle keep-alive connection is closed after about 5 s", status == 200 and closed and 3.5 <= waited <= 7,
          "GET / -> %d, then idle: closed %s after %.1f s" % (status, "by the server" if closed else "NOT", waited))


async def check_requests_per_connection():
    http = await Http.open(v6=True, source="fd00:cc::2")
    answered, last_connection = 0, ""
    try:
        for _ in range(120):
            status, fields, _ = await http.request(timeout=3)
            if status != 200:
                break
            answered += 1
            last_connection = fields.get("connection", "")
    except (asyncio.IncompleteReadError, ConnectionError, asyncio.TimeoutError):
        pass
    closed = await http.closed_within(2)
    http.close()
    check("one connection answers at most 100 requests", answered == 100 and closed and last_connection == "close",
          "%d requests answered, the last with Connection: %s; then closed: %s" % (answered, last_connection or "-",
                                                                               closed))


async def check_keep_alive_has_an_absolute_deadline():
    # A connection that never joins but keeps sending requests (each well
    # within the idle time) must still be closed 30 s after it opened.
    t0 = time.monotonic()
    http = await Http.open(v6=True, source="fd00:cc::3")
    answered = 0
    end = "still open after 40 s"
    while time.monotonic() - t0 < 40:
        try:
            status, fields, _ = await http.request(timeout=3)
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.TimeoutError) as e:
            end = "closed (%s)" % type(e).__name__
            break
        answered += 1
        if fields.get("connection", "") == "close":
            end = "told Connection: close" if await http.closed_within(3) else "Connection: close, but left open"
            if end.startswith("told"):
                break
        await asyncio.sleep(1.0)
    lived = time.monotonic() - t0
    http.close()
    check("keep-alive does not extend the deadline of a connection that never joins",
          lived <= 32 and answered >= 20 and not end.startswith("still") and "left open" not in end,
          "a request every second: %d answered, then %s at %.1f s (want <= 30 s + 2)" % (answered, end, lived))


class Attacker:
    """Holds every connection it can from 32 addresses, reopening each one the server closes."""

    def __init__(self, addresses, per_address):
        self.targets = [(a, i) for a in addresses for i in range(per_address)]
        self.held = 0
        self.opened = 0
        self.refused = 0
        self.stop = asyncio.Event()
        self.tasks = []

    async def _one(self, source, index):
        ws_kind = index % 2 == 1
        while not self.stop.is_set():
            t0 = time.monotonic()
            counted = False
            try:
                if ws_kind:
                    ws = await websockets.connect(V4_URL, local_addr=(source, 0), open_timeout=5, compression=None)
                    self.opened += 1
                    self.held += 1
                    counted = True
                    stop_wait = asyncio.ensure_future(self.stop.wait())
                    await asyncio.wait([stop_wait, asyncio.ensure_future(ws.wait_closed())],
                                       return_when=asyncio.FIRST_COMPLETED)
                    stop_wait.cancel()
                    await ws.close()
                else:
                    reader, writer = await asyncio.wait_for(
                        asyncio.open_connection("127.0.0.1", V4_PORT, local_addr=(source, 0)), 5)
                    self.opened += 1
                    self.held += 1
                    counted = True
                    stop_wait = asyncio.ensure_future(self.stop.wait())
                    await asyncio.wait([stop_wait, asyncio.ensure_future(reader.read())],
                                       return_when=asyncio.FIRST_COMPLETED)
                    stop_wait.cancel()
                    writer.close()
            except Exception:  # refused at accept (reset or EOF during the upgrade), or timed out
                pass
            if counted:
                self.held -= 1
            lived = time.monotonic() - t0
            if lived < 0.5:
                self.refused += 1
            if not self.stop.is_set():
                await asyncio.sleep(0.5 if lived < 0.5 else 0.05)

    def start(self):
        self.tasks = [asyncio.ensure_future(self._one(a, i)) for a, i in self.targets]

    async def finish(self):
        self.stop.set()
        await asyncio.wait_for(asyncio.gather(*self.tasks, return_exceptions=True), 15)


async def check_fairness():
    early = AegisClient(V4_URL, local_addr="127.0.0.3", label="early", request_keyframes=False)
    try:
        await asyncio.wait_for(early.connect(), 5)
        await early.join("F", TOKENS["EARLY"], timeout=5)
    except Exception as e:
        check("a participant joins before the flood", False, "refused: %r" % e)
        await early.close()
        return
    attacker = Attacker(["127.0.1.%d" % i for i in range(1, 33)], PER_ADDRESS)
    attacker.start()
    t0 = time.monotonic()
    full_since = None
    while time.monotonic() - t0 < 20:
        await asyncio.sleep(0.1)
        if attacker.held >= TOTAL - 2:  # the early participant holds one slot
            full_since = full_since or time.monotonic()
            if time.monotonic() - full_since >= 1.0:
                break
        else:
            full_since = None
    held_before, sockets_before = attacker.held, server_sockets()
    check("one source fills the server", held_before >= TOTAL - 2,
          "after %.1f s the source holds %d connections from 32 addresses (%d opened, %d refused); the server has "
          "%d sockets open" % (time.monotonic() - t0, held_before, attacker.opened, attacker.refused, sockets_before))

    # A client from elsewhere: the page, then the WebSocket and join, within 5 s.
    legit = AegisClient(V4_URL, local_addr="127.0.0.6", label="legit", request_keyframes=False)
    t1 = time.monotonic()
    page, joined, attempts = None, None, 0
    while time.monotonic() - t1 < 5 and joined is None:
        attempts += 1
        try:
            if page != 200:
                http = await Http.open(source="127.0.0.6", timeout=2)
                try:
                    page = (await http.request(timeout=2))[0]
                finally:
                    http.close()
            await asyncio.wait_for(legit.connect(), 2)
            joined = (await legit.join("F", TOKENS["LEGIT"], timeout=2))["type"]
        except Exception as e:
            await legit.close()
            legit = AegisClient(V4_URL, local_addr="127.0.0.6", label="legit", request_keyframes=False)
            joined = None
            page = page if page == 200 else "failed (%s)" % type(e).__name__
            await asyncio.sleep(0.2)
    took = time.monotonic() - t1
    check("a client from another address loads the page and joins while one source holds every slot",
          page == 200 and joined == "joined" and took <= 5,
          "page -> %s, join -> %s after %.1f s (%d attempts); the source held %d connections" % (
              page, joined, took, attempts, attacker.held))

    await asyncio.sleep(3)  # the source keeps reopening everything the server closes
    alive = {}
    for name, client in (("early", early), ("legit", legit)):
        try:
            alive[name] = (await client.ping(seq=7, timeout=3))["type"] == "pong"
        except Exception as e:
            alive[name] = "no (%s)" % type(e).__name__
    held_after_s, refused = attacker.held, attacker.refused
    await attacker.finish()
    check("the source cannot take a joined client's slot back",
          alive.get("early") is True and alive.get("legit") is True and not early.errors and not legit.errors,
          "3 s later: ping -> pong from the participant who joined before the flood: %s, from the client who joined "
          "during it: %s; errors %s / %s; the source held %d, %d of its connections refused or closed within 0.5 s" % (
              alive.get("early"), alive.get("legit"), [e.code for e in early.errors],
              [e.code for e in legit.errors], held_after_s, refused))
    await early.close()
    await legit.close()


async def main():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 8192)), hard))
    for name, token in TOKENS.items():
        if token.count(".") != 2:
            print("FAIL: AEGIS_TOKEN_%s is missing or not a JWT" % name)
            return 1
    # The 30 s deadline runs against the IPv6 server while the rest goes on.
    deadline_check = asyncio.ensure_future(check_keep_alive_has_an_absolute_deadline())
    for step in (check_no_dev_tokens, check_ipv6_slash64, check_idle_keep_alive_closed,
                 check_requests_per_connection, check_office_behind_nat, check_fairness):
        try:
            await asyncio.wait_for(step(), 60)
        except Exception as e:
            check(step.__name__, False, "raised %r" % e)
    try:
        await asyncio.wait_for(deadline_check, 60)
    except Exception as e:
        check("keep-alive deadline", False, "raised %r" % e)
    print("connection slots: %d passed, %d failed" % (passed, failed), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))

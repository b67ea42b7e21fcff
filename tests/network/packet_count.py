#!/usr/bin/env python3
"""Counts the IPv4 packets one address sends through an interface, by
protocol and destination port, as a capture on that interface sees them
(an AF_PACKET socket: what tcpdump would show, without needing it).

  packet_count.py IFACE SOURCE_IP MAX_SECONDS

Runs until SIGTERM/SIGINT or MAX_SECONDS, then prints one JSON object:
{"packets": N, "by_port": {"udp/3478": n, "tcp/18498": n, ...}}.
Needs root (CAP_NET_RAW). Used by relay_only.sh."""
import json
import select
import signal
import socket
import struct
import sys
import time

ETH_P_ALL = 0x0003
ETH_P_IP = 0x0800


def main():
    if len(sys.argv) != 4 or sys.argv[1] in ("-h", "--help"):
        print(__doc__.strip())
        sys.exit(0 if len(sys.argv) == 2 else 2)
    iface, source, max_seconds = sys.argv[1], socket.inet_aton(sys.argv[2]), float(sys.argv[3])
    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    sock.bind((iface, 0))
    stop = False

    def on_signal(*_):
        nonlocal stop
        stop = True

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    counts = {}
    total = 0
    deadline = time.monotonic() + max_seconds
    print("ready", file=sys.stderr, flush=True)
    while not stop and time.monotonic() < deadline:
        readable, _, _ = select.select([sock], [], [], 0.2)
        if not readable:
            continue
        frame = sock.recv(65535)
        # Ethernet header, then IPv4 from `source`; anything shorter or else is not counted.
        if len(frame) < 14 + 20 or struct.unpack("!H", frame[12:14])[0] != ETH_P_IP:
            continue
        ip = frame[14:]
        header_length = (ip[0] & 0x0F) * 4
        if ip[0] >> 4 != 4 or header_length < 20 or len(ip) < header_length + 4 or ip[12:16] != source:
            continue
        protocol = {6: "tcp", 17: "udp"}.get(ip[9], f"ip{ip[9]}")
        port = struct.unpack("!H", ip[header_length + 2:header_length + 4])[0] if protocol in ("tcp", "udp") else 0
        key = f"{protocol}/{port}"
        counts[key] = counts.get(key, 0) + 1
        total += 1
    print(json.dumps({"packets": total, "by_port": counts}, sort_keys=True), flush=True)


if __name__ == "__main__":
    main()

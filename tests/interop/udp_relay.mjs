// A userspace UDP relay that can lose and delay media, for browser tests
// (this kernel has no netem, and the test machines have no nftables). The
// server announces the relay's address (`aegis serve --announce`); each
// client address gets its own upstream socket, so the server sees one
// 5-tuple per client, as through a NAT. Only RTP/RTCP (first byte 128..191,
// RFC 7983) is dropped, or with dropOnly only RTP of that payload type (the
// RTP header is in clear under SRTP); STUN and DTLS always pass, so ICE
// consent and the handshake are not what a test measures. Delay applies to
// everything. capKbps makes each client's downstream (server -> client) a
// bottleneck link of that rate: packets queue behind each other and are
// dropped once the queue holds more than queueMs (drop-tail), as at a slow
// access link, so delay grows before loss does.
//   const relay = await startUdpRelay({ listen: '127.0.0.2', port: 41300, server: '127.0.0.1', serverPort: 41300 });
//   relay.set({ lossPct: 10, delayMs: 5, dropOnly: 111, capKbps: 300 });  ...  relay.counters();  relay.close();
import dgram from 'node:dgram';

export async function startUdpRelay({ listen, port, server, serverPort }) {
  let lossPct = 0;
  let delayMs = 0;
  let dropOnly = null;  // an RTP payload type, or null: all RTP/RTCP
  let capKbps = 0;      // 0: no bottleneck
  let queueMs = 200;
  const counts = { forwarded: 0, dropped: 0, clients: 0, capDropped: 0, downstreamBytes: 0 };
  const front = dgram.createSocket('udp4');
  const upstream = new Map();  // "addr:port" of a client -> socket towards the server

  const isMedia = (msg) => msg.length > 1 && msg[0] >= 128 && msg[0] <= 191 &&
    (dropOnly === null || (msg[1] & 0x7f) === dropOnly);
  const pass = (msg, send) => {
    if (lossPct > 0 && isMedia(msg) && Math.random() * 100 < lossPct) {
      counts.dropped++;
      return;
    }
    counts.forwarded++;
    if (delayMs > 0) setTimeout(send, delayMs);
    else send();
  };

  // One client's downstream link: when it is next free (performance.now() ms).
  const shape = (link, msg, send) => {
    if (capKbps <= 0) return send();
    const now = performance.now();
    const start = Math.max(now, link.freeAt);
    if (start - now > queueMs) {
      counts.capDropped++;
      return;
    }
    link.freeAt = start + (msg.length * 8) / capKbps;  // kbit/s = bits per ms
    setTimeout(send, link.freeAt - now);
  };

  front.on('message', (msg, from) => {
    const key = `${from.address}:${from.port}`;
    let socket = upstream.get(key);
    if (!socket) {
      socket = dgram.createSocket('udp4');
      socket.bind(0, listen);
      const link = { freeAt: 0 };
      socket.on('message', (reply) => pass(reply, () => shape(link, reply, () => {
        counts.downstreamBytes += reply.length;
        front.send(reply, from.port, from.address);
      })));
      socket.on('error', () => {});
      upstream.set(key, socket);
      counts.clients++;
    }
    pass(msg, () => socket.send(msg, serverPort, server));
  });
  front.on('error', () => {});
  await new Promise((resolve, reject) => {
    front.once('error', reject);
    front.bind(port, listen, () => {
      front.off('error', reject);
      resolve();
    });
  });
  return {
    set({ lossPct: loss = lossPct, delayMs: delay = delayMs, dropOnly: only = dropOnly, capKbps: cap = capKbps,
          queueMs: queue = queueMs } = {}) {
      lossPct = loss;
      delayMs = delay;
      dropOnly = only;
      capKbps = cap;
      queueMs = queue;
    },
    counters: () => ({ ...counts, lossPct, delayMs, dropOnly, capKbps, queueMs }),
    close() {
      front.close();
      for (const s of upstream.values()) s.close();
    },
  };
}

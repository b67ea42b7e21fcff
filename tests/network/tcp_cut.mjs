// A TCP proxy a test can cut, for signaling outages: every connection
// through it is piped to the server until cut() destroys them all and
// refuses new ones, until restore(). Media (UDP) does not pass here.
//   const proxy = await startTcpCut({ listen: '127.0.0.1', port: 18481, server: '127.0.0.1', serverPort: 18480 });
//   proxy.cut(); ... proxy.restore(); proxy.counters(); proxy.close();
import net from 'node:net';

export async function startTcpCut({ listen, port, server, serverPort }) {
  let cut = false;
  const live = new Set();
  const counts = { accepted: 0, refused: 0, cut: 0 };
  const front = net.createServer((client) => {
    if (cut) {
      counts.refused++;
      client.destroy();
      return;
    }
    counts.accepted++;
    const upstream = net.connect(serverPort, server);
    const pair = { client, upstream };
    live.add(pair);
    const drop = () => {
      live.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise((resolve, reject) => {
    front.once('error', reject);
    front.listen(port, listen, () => {
      front.off('error', reject);
      resolve();
    });
  });
  return {
    cut() {
      cut = true;
      counts.cut += live.size;
      for (const { client, upstream } of [...live]) {
        client.destroy();
        upstream.destroy();
      }
      live.clear();
    },
    restore() { cut = false; },
    counters: () => ({ ...counts, live: live.size }),
    close() {
      cut = true;
      for (const { client, upstream } of live) {
        client.destroy();
        upstream.destroy();
      }
      front.close();
    },
  };
}

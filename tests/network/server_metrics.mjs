// Reads the server's /metrics over HTTPS from a test whose server listens on
// a veth (client_netns.sh's serve_on_veth): with the bearer token it gave the
// server, accepting its self-signed certificate.
//   const m = await metricSums(baseUrl, ['aegis_ice_restarts_total']);  // {name: sum over labels}
import https from 'node:https';

export function metricSums(baseUrl, names) {
  return new Promise((resolve, reject) => {
    const headers = { authorization: `Bearer ${process.env.AEGIS_METRICS_TOKEN ?? ''}` };
    https.get(`${baseUrl}/metrics`, { rejectUnauthorized: false, headers }, (res) => {
      if (res.statusCode !== 200) {
        reject(new Error(`/metrics answered ${res.statusCode}`));
        res.resume();
        return;
      }
      let text = '';
      res.on('data', (d) => { text += d; });
      res.on('end', () => {
        const lines = text.split('\n');
        const sum = (name) => lines.filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `))
          .reduce((n, l) => n + Number(l.trim().split(/\s+/).pop()), 0);
        resolve(Object.fromEntries(names.map((n) => [n, sum(n)])));
      });
    }).on('error', reject);
  });
}

#!/usr/bin/env node
// A browser behind a firewall that drops every UDP datagram (udp_blocked.sh:
// Chromium in a namespace of its own whose policy routing refuses UDP):
//   chromium_udp_blocked.mjs BASE_URL
// with AEGIS_TOKEN_A, AEGIS_TOKEN_B (room T) and AEGIS_METRICS_TOKEN.
//
// Two pages (the demo app, e2ee=0, video=low) call each other. Checks: both
// connections of both pages come up and each page decodes the other's video;
// every selected candidate pair is TCP (the server's passive candidate,
// RFC 6544), nothing went over UDP; the server's ICE-TCP counters saw the
// packets. Prints how long the call took to connect.
import { metricSums } from './server_metrics.mjs';
import { kChromiumFlags, launchChromium, makeReport, waitFor } from '../interop/chromium_harness.mjs';
import { framesFrom, openCallPair, selectedPairs } from './call_pair.mjs';

const baseUrl = (process.argv[2] ?? '').replace(/\/+$/, '');
const report = makeReport('udp blocked');
const { fail, check, finish } = report;
const tokens = { A: process.env.AEGIS_TOKEN_A ?? '', B: process.env.AEGIS_TOKEN_B ?? '' };
if (!/^https:\/\/[^/]+$/.test(baseUrl)) fail(`usage: chromium_udp_blocked.mjs BASE_URL (got '${baseUrl}')`);

const watchdog = setTimeout(() => fail('the whole test took over 90 s'), 90_000);
const browser = await launchChromium(report, [...kChromiumFlags, '--ignore-certificate-errors']);

const metrics = () => metricSums(baseUrl, ['aegis_ice_tcp_packets_received_total', 'aegis_ice_tcp_packets_sent_total',
  'aegis_udp_datagrams_received_total']);

try {
  const before = await metrics();
  const started = Date.now();
  const { a, b, aId, bId } = await openCallPair(browser, baseUrl, 'T', tokens);
  const decoding = await waitFor(async () => (await framesFrom(a, bId)) > 10 && (await framesFrom(b, aId)) > 10, 30_000);
  check('A and B decode each other with UDP blocked', decoding.value,
    `${Date.now() - started} ms from opening the pages (A ${await framesFrom(a, bId)} frames of B, B ${await framesFrom(b, aId)} of A)`);
  const pairs = [...await selectedPairs(a), ...await selectedPairs(b)];
  console.log(`  selected pairs: ${JSON.stringify(pairs)}`);
  check('all four connections are up, each on a TCP pair to the server\'s passive candidate',
    pairs.length === 4 && pairs.every((p) => p.state === 'connected' && p.local?.protocol === 'tcp' &&
      p.remote?.protocol === 'tcp' && p.remote.address === '10.77.1.1' && p.remote.port === 41650),
    `${pairs.length} connections`);
  const after = await metrics();
  const received = after.aegis_ice_tcp_packets_received_total - before.aegis_ice_tcp_packets_received_total;
  const sent = after.aegis_ice_tcp_packets_sent_total - before.aegis_ice_tcp_packets_sent_total;
  const udp = after.aegis_udp_datagrams_received_total - before.aegis_udp_datagrams_received_total;
  check('the server carried the call over ICE-TCP and got no UDP', received > 100 && sent > 100 && udp === 0,
    `${received} packets received and ${sent} sent over TCP, ${udp} UDP datagrams received`);
} catch (e) {
  check('test ran to the end', false, e.stack ?? String(e));
}
await browser.close().catch(() => {});
clearTimeout(watchdog);
finish();

#!/usr/bin/env node
// One publisher behind a slow uplink (publisher_uplink.sh):
//   chromium_publisher_uplink.mjs BASE_URL
// with AEGIS_TOKEN_A/B/C (room U), AEGIS_CLIENT_NETNS and AEGIS_CHROMIUM
// (C's browser, in that namespace), AEGIS_CAPPED_LINK (C's interface, whose
// egress is C's uplink) and AEGIS_METRICS_TOKEN.
//
// Three pages (the demo app, e2ee=0), each receiving the other two; C's
// camera is noise (video_stats.mjs writeNoiseCamera), which takes every bit
// the encoder is given, so C's browser sends as much as its estimate allows.
// After a free-running baseline C's uplink becomes a 200 kbit/s bottleneck
// with room for 500 ms of queue (tc tbf in C's namespace). With
// --publisher-transport-cc on, the SFU reports when each of C's packets
// arrived (sfu/upstream_feedback.h) and C's own delay-based estimate sees
// the queue grow and holds its rate under the link; without it C hears
// only loss (receiver reports) and REMB, so it fills the queue until the
// link drops packets: half a second of delay on everything C says.
// Checks, over 20 s after 12 s to adapt: the SFU sent C transport feedback,
// C's uplink round trip (its publisher connection's RTCP and ICE round
// trips, sampled each second) stays under 100 ms in 90 % of the samples,
// C's video fits the link, and A and B keep decoding (half their free frame
// rate or more: C's noise is a few frames a second at this rate; the rest is
// each other's video).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { kChromiumFlags, launchChromium, makeReport, openApp, sleep, waitFor } from '../interop/chromium_harness.mjs';
import { metricSums } from './server_metrics.mjs';
import { measureVideo, videoStats, writeNoiseCamera } from './video_stats.mjs';

const baseUrl = (process.argv[2] ?? '').replace(/\/+$/, '');
const kCapKbps = 200;
const kMaxRttMs = 100;
const report = makeReport('publisher uplink');
const { fail, check, finish } = report;
const tokens = { A: process.env.AEGIS_TOKEN_A ?? '', B: process.env.AEGIS_TOKEN_B ?? '', C: process.env.AEGIS_TOKEN_C ?? '' };
const link = process.env.AEGIS_CAPPED_LINK ?? '';
const netns = process.env.AEGIS_CLIENT_NETNS ?? '';
if (!/^https:\/\/[^/]+$/.test(baseUrl)) fail(`usage: chromium_publisher_uplink.mjs BASE_URL (got '${baseUrl}')`);
if (!link || !netns || !process.env.AEGIS_CHROMIUM) fail('AEGIS_CAPPED_LINK, AEGIS_CLIENT_NETNS and AEGIS_CHROMIUM are needed');

const watchdog = setTimeout(() => fail('the whole test took over 150 s'), 150_000);
const noiseDir = mkdtempSync(path.join(tmpdir(), 'aegis-noise-'));
const args = [...kChromiumFlags, '--ignore-certificate-errors'];
const here = await launchChromium(report, args, { executablePath: '/usr/bin/chromium' });
const there = await launchChromium(report, [...args, `--use-file-for-fake-video-capture=${writeNoiseCamera(noiseDir)}`],
  { executablePath: process.env.AEGIS_CHROMIUM });
const open = (browser, who) => openApp(browser, baseUrl, { room: 'U', name: who, token: tokens[who], autojoin: '1', e2ee: '0' },
  { label: who, contextOptions: { ignoreHTTPSErrors: true } });
const tc = (...a) => execFileSync('ip', ['netns', 'exec', netns, 'tc', ...a], { stdio: 'pipe' });

// C's publisher connection (the one that sends video): its round trips
// (RTCP from the SFU's receiver reports, ICE from consent checks), in ms,
// and what it has sent of video.
async function uplink(page) {
  return page.evaluate(async () => {
    for (const pc of window.__peerConnections) {
      if (pc.connectionState === 'closed') continue;
      const stats = [...(await pc.getStats()).values()];
      const out = stats.find((r) => r.type === 'outbound-rtp' && r.kind === 'video');
      if (!out) continue;
      const rtcp = stats.find((r) => r.type === 'remote-inbound-rtp' && r.kind === 'video');
      const pair = stats.find((r) => r.type === 'candidate-pair' && r.nominated && r.state === 'succeeded');
      return {
        rtcpRttMs: 1000 * (rtcp?.roundTripTime ?? 0), iceRttMs: 1000 * (pair?.currentRoundTripTime ?? 0),
        availableKbps: (pair?.availableOutgoingBitrate ?? 0) / 1000, videoBytesSent: out.bytesSent,
      };
    }
    return null;
  });
}

try {
  const pages = [await open(here, 'A'), await open(here, 'B'), await open(there, 'C')];
  const decoding = await waitFor(async () => (await Promise.all(pages.map(videoStats))).every((s) => s.framesDecoded > 20),
    30_000);
  if (!decoding.value) throw new Error('the pages do not decode each other');
  await sleep(8_000);  // the encoders ramp up
  const free = await measureVideo(pages, 6_000);
  const freeUplink = await uplink(pages[2]);
  tc('qdisc', 'add', 'dev', link, 'root', 'tbf', 'rate', `${kCapKbps}kbit`, 'burst', '8kb', 'latency', '500ms');
  await sleep(12_000);  // C adapts
  const feedbackBefore = (await metricSums(baseUrl, ['aegis_transport_feedback_sent_total'])).aegis_transport_feedback_sent_total;
  const first = await uplink(pages[2]);
  const samples = [];
  const sampling = (async () => {
    for (let i = 0; i < 20; ++i) {
      await sleep(1_000);
      const u = await uplink(pages[2]);
      if (u) samples.push(Math.max(u.rtcpRttMs, u.iceRttMs));
    }
  })();
  const capped = await measureVideo(pages, 20_000);
  await sampling;
  const last = await uplink(pages[2]);
  const feedback = (await metricSums(baseUrl, ['aegis_transport_feedback_sent_total'])).aegis_transport_feedback_sent_total -
    feedbackBefore;
  tc('qdisc', 'del', 'dev', link, 'root');

  const sorted = [...samples].sort((a, b) => a - b);
  const p90 = sorted[Math.min(sorted.length - 1, Math.floor(0.9 * sorted.length))] ?? Infinity;
  const videoKbps = first && last ? (last.videoBytesSent - first.videoBytesSent) * 8 / 1000 / capped[2].seconds : 0;
  ['A', 'B', 'C'].forEach((who, i) => console.log(`  ${who} receiving: free ${free[i].fps.toFixed(1)} fps; ` +
    `C capped: ${capped[i].fps.toFixed(1)} fps, ${capped[i].freezeCount} freezes, ${capped[i].packetsLost} lost`));
  console.log(`  C's uplink: estimate ${freeUplink?.availableKbps.toFixed(0)} kbit/s free, ` +
    `${last?.availableKbps.toFixed(0)} kbit/s capped; video ${videoKbps.toFixed(0)} kbit/s; ` +
    `round trip (ms) median ${sorted[Math.floor(sorted.length / 2)]?.toFixed(0)}, 90th ${p90.toFixed(0)}, ` +
    `max ${sorted.at(-1)?.toFixed(0)} over ${samples.length} samples; ${feedback} transport feedback packets to publishers`);

  check('the SFU reported arrivals to the publishers (transport feedback)', feedback > 0, `${feedback} packets`);
  check(`C's uplink queue stays short: round trip < ${kMaxRttMs} ms in 90 % of samples`,
    samples.length >= 15 && p90 < kMaxRttMs, `90th percentile ${p90.toFixed(0)} ms of ${samples.length} samples`);
  check(`C's video fits its ${kCapKbps} kbit/s uplink and keeps flowing`, videoKbps > 20 && videoKbps <= kCapKbps,
    `${videoKbps.toFixed(0)} kbit/s`);
  for (const [who, i] of [['A', 0], ['B', 1]]) {
    check(`${who} keeps decoding (>= 50 % of its free frame rate)`, capped[i].fps >= 0.5 * free[i].fps,
      `${capped[i].fps.toFixed(1)} fps (free: ${free[i].fps.toFixed(1)})`);
  }
} catch (e) {
  check('test ran to the end', false, e.stack ?? String(e));
}
try { tc('qdisc', 'del', 'dev', link, 'root'); } catch { /* not added, or already gone */ }
await here.close().catch(() => {});
await there.close().catch(() => {});
rmSync(noiseDir, { recursive: true, force: true });
clearTimeout(watchdog);
finish();

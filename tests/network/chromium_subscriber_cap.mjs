#!/usr/bin/env node
// One subscriber behind a slow link (subscriber_cap.sh):
//   chromium_subscriber_cap.mjs BASE_URL
// with AEGIS_TOKEN_A/B/C (room K), AEGIS_CLIENT_NETNS and AEGIS_CHROMIUM
// (C's browser, in that namespace), AEGIS_CAPPED_LINK (the interface whose
// egress is C's downstream) and AEGIS_METRICS_TOKEN.
//
// Three pages (the demo app, e2ee=0), each receiving the other two. After a
// free-running baseline, C's downstream becomes a 250 kbit/s bottleneck (tc
// tbf, 200 ms of queue) for 35 s. The SFU numbers what it sends C
// (transport-wide congestion control), sees C's queue build in C's feedback
// (sfu/delay_based_rate.h) before it overflows, and asks A and B for C's
// share of the link (REMB); C's receiver reports (sfu/loss_based_rate.h)
// would catch loss the delay missed. Without simulcast A's and B's one
// encoding is what everyone gets, so A and B see each other at C's rate
// too: fewer bits, same frame rate with this camera. Prints each page's
// figures; checks, over the last 20 s of the cap: C keeps decoding both
// videos at a quarter of its free frame rate or more, losing under 5 %,
// and A and B keep 80 % of theirs.
//
// The camera is Chromium's own test pattern (compressible: ~185 kbit/s a
// video when free, still twice the link for two). AEGIS_NOISE_CAMERA=1 uses
// noise instead (video_stats.mjs writeNoiseCamera: incompressible, so an
// encoder held to C's share makes ~1 frame a second however well the SFU
// does), AEGIS_CAP_KBPS another cap.
//
// Run here on 2026-12-07 (pattern, 250 kbit/s): C 40.2 fps in all (free
// 39.9) at 108 kbit/s of video, 0.0 % lost, 0 freezes; A and B 40.1 fps
// (free 39.9), the SFU sent 120 REMB during the cap. With loss feedback
// alone (before transport-cc) the same link gave C 20.9 % loss and 3.3 fps
// (pattern, 300 kbit/s), or 1.8-2.2 fps at 7-8 % loss with noise.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { kChromiumFlags, launchChromium, makeReport, openApp, sleep, waitFor } from '../interop/chromium_harness.mjs';
import { metricSums } from './server_metrics.mjs';
import { measureVideo, videoStats, writeNoiseCamera } from './video_stats.mjs';

const baseUrl = (process.argv[2] ?? '').replace(/\/+$/, '');
const kCapKbps = Number(process.env.AEGIS_CAP_KBPS ?? 250);
const report = makeReport('subscriber cap');
const { fail, check, finish } = report;
const tokens = { A: process.env.AEGIS_TOKEN_A ?? '', B: process.env.AEGIS_TOKEN_B ?? '', C: process.env.AEGIS_TOKEN_C ?? '' };
const link = process.env.AEGIS_CAPPED_LINK ?? '';
if (!/^https:\/\/[^/]+$/.test(baseUrl)) fail(`usage: chromium_subscriber_cap.mjs BASE_URL (got '${baseUrl}')`);
if (!link || !process.env.AEGIS_CHROMIUM) fail('AEGIS_CAPPED_LINK and AEGIS_CHROMIUM are needed');

const watchdog = setTimeout(() => fail('the whole test took over 150 s'), 150_000);
const noiseDir = mkdtempSync(path.join(tmpdir(), 'aegis-noise-'));
const args = [...kChromiumFlags, '--ignore-certificate-errors',
  ...(process.env.AEGIS_NOISE_CAMERA ? [`--use-file-for-fake-video-capture=${writeNoiseCamera(noiseDir)}`] : [])];
const here = await launchChromium(report, args, { executablePath: '/usr/bin/chromium' });
const there = await launchChromium(report, args, { executablePath: process.env.AEGIS_CHROMIUM });
const open = (browser, who) => openApp(browser, baseUrl, { room: 'K', name: who, token: tokens[who], autojoin: '1', e2ee: '0' },
  { label: who, contextOptions: { ignoreHTTPSErrors: true } });
const tc = (...a) => execFileSync('tc', a, { stdio: 'pipe' });
const fmt = (m) => `${m.fps.toFixed(1)} fps, in ${m.inKbps.toFixed(0)} kbit/s, ${m.lossPct.toFixed(1)} % lost, ` +
  `${m.freezeCount} freezes`;
async function measure(pages, ms) {
  return (await measureVideo(pages, ms)).map((d) => ({
    ...d, inKbps: d.bytesReceived * 8 / 1000 / d.seconds,
    lossPct: d.packetsReceived + d.packetsLost > 0 ? 100 * d.packetsLost / (d.packetsReceived + d.packetsLost) : 0,
  }));
}

try {
  const pages = [await open(here, 'A'), await open(here, 'B'), await open(there, 'C')];
  const decoding = await waitFor(async () => (await Promise.all(pages.map(videoStats))).every((s) => s.framesDecoded > 20),
    30_000);
  if (!decoding.value) throw new Error('the pages do not decode each other');
  await sleep(8_000);  // the encoders ramp up
  const free = await measure(pages, 10_000);
  tc('qdisc', 'add', 'dev', link, 'root', 'tbf', 'rate', `${kCapKbps}kbit`, 'burst', '8kb', 'latency', '200ms');
  const rembsBefore = (await metricSums(baseUrl, ['aegis_rembs_sent_total'])).aegis_rembs_sent_total;
  await sleep(15_000);  // the publishers adapt
  const capped = await measure(pages, 20_000);
  const rembs = (await metricSums(baseUrl, ['aegis_rembs_sent_total'])).aegis_rembs_sent_total - rembsBefore;
  tc('qdisc', 'del', 'dev', link, 'root');
  ['A', 'B', 'C'].forEach((who, i) => console.log(`  ${who} receiving: free ${fmt(free[i])}; C capped: ${fmt(capped[i])}`));
  console.log(`  the SFU asked the publishers for less ${rembs} times during the cap`);

  check(`C's two videos need more than its ${kCapKbps} kbit/s link`, free[2].inKbps >= 1.25 * kCapKbps,
    `${free[2].inKbps.toFixed(0)} kbit/s of video alone`);
  check('C keeps decoding behind its link (>= 25 % of its free frame rate)', capped[2].fps >= 0.25 * free[2].fps,
    `${capped[2].fps.toFixed(1)} fps in all (free: ${free[2].fps.toFixed(1)})`);
  check('C loses < 5 % of its video packets (the queue is seen before it overflows)', capped[2].lossPct < 5,
    `${capped[2].lossPct.toFixed(1)} %`);
  for (const [who, i] of [['A', 0], ['B', 1]]) {
    check(`${who} keeps 80 % of its frame rate beside a capped subscriber`, capped[i].fps >= 0.8 * free[i].fps,
      `${capped[i].fps.toFixed(1)} fps (free: ${free[i].fps.toFixed(1)})`);
  }
  check('the SFU asked the publishers for less (REMB)', rembs > 0, `${rembs} REMB`);
} catch (e) {
  check('test ran to the end', false, e.stack ?? String(e));
}
try { tc('qdisc', 'del', 'dev', link, 'root'); } catch { /* not added, or already gone */ }
await here.close().catch(() => {});
await there.close().catch(() => {});
rmSync(noiseDir, { recursive: true, force: true });
clearTimeout(watchdog);
finish();

#!/usr/bin/env node
// Chromium side of the aiortc-publishes test (aiortc_publish.sh starts the
// server and an aiortc participant that publishes a moving 320x240 test
// picture at 30 fps and a 440 Hz tone into room P, then runs this):
//   chromium_decodes_aiortc.mjs BASE_URL
// with in the environment:
//   AEGIS_TOKEN_CHROMIUM   room P token for the browser
//   AEGIS_ROOM             another room than P (e.g. a WHIP publisher's)
//   AEGIS_AIORTC_ID        the aiortc participant's id (from its `joined`)
//   AEGIS_AIORTC_NAME      its display name (from its token)
//   AEGIS_AIORTC_WIDTH, AEGIS_AIORTC_HEIGHT   the picture size it sends
//
// One headless Chromium page (the demo app in web/, joined from the URL with
// video=low; it publishes its own fake camera too). Checks:
//   1. the page joins room P and lists exactly the aiortc participant, by
//      id and name, within 20 s;
//   2. over >= 5 s it keeps decoding that participant's video (framesDecoded
//      rising by >= 50; aiortc sends 30 fps) and receiving its audio (>= 100
//      packets; Opus at 50 packets/s), measured with window.aegisApp.remoteStats();
//   3. the participant's tile plays a picture of the size aiortc sends, and
//      the picture changes between two looks 500 ms apart (it is moving);
//   4. no CSP violation and no uncaught error on the page.
// Prints one line per check and `chromium decodes aiortc: N passed, N failed`;
// exits non-zero on any failure, including when Chromium cannot start.
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const baseUrl = (process.argv[2] ?? '').replace(/\/+$/, '');
const executablePath = process.env.AEGIS_CHROMIUM || '/usr/bin/chromium';
const chromiumFlags = [
  '--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream',
  '--allow-loopback-in-peer-connection',
  '--autoplay-policy=no-user-gesture-required',
];
const room = process.env.AEGIS_ROOM || 'P';
const kSeeOthersMs = 20_000;
const kMediaStartMs = 20_000;
const kSampleMs = 5_000;
const kMinFramesInWindow = 50;        // aiortc sends 30 fps: ~150 expected
const kMinAudioPacketsInWindow = 100;  // Opus at 50 packets/s: ~250 expected

const fail = (message) => {
  console.error(`FAIL: ${message}`);
  console.log('chromium decodes aiortc: 0 passed, 1 failed');
  process.exit(1);
};

const token = process.env.AEGIS_TOKEN_CHROMIUM ?? '';
const aiortcId = process.env.AEGIS_AIORTC_ID ?? '';
const aiortcName = process.env.AEGIS_AIORTC_NAME ?? '';
const width = Number(process.env.AEGIS_AIORTC_WIDTH ?? 320);
const height = Number(process.env.AEGIS_AIORTC_HEIGHT ?? 240);
if (!/^https?:\/\/[^/]+$/.test(baseUrl)) fail(`usage: chromium_decodes_aiortc.mjs BASE_URL (got '${baseUrl}')`);
if (token.split('.').length !== 3) fail('AEGIS_TOKEN_CHROMIUM is missing or not a JWT');
if (!/^[A-Za-z0-9_-]{1,64}$/.test(aiortcId)) fail(`AEGIS_AIORTC_ID is missing or not an id: '${aiortcId}'`);

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
let chromium;
try {
  ({ chromium } = createRequire(path.join(repoRoot, 'package.json'))('playwright-core'));
} catch (e) {
  fail(`cannot load playwright-core from ${repoRoot}/node_modules (run scripts/setup.sh): ${e.message}`);
}

const watchdog = setTimeout(() => fail('the whole test took over 100 s'), 100_000);

let passed = 0;
let failed = 0;
function check(name, ok, detail) {
  if (ok) ++passed;
  else ++failed;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}: ${detail}`);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function pollUntil(probe, ms, everyMs = 100) {
  const start = Date.now();
  for (;;) {
    const value = await probe();
    const elapsed = Date.now() - start;
    if (value?.ok || elapsed >= ms) return { ...value, elapsed };
    await sleep(everyMs);
  }
}

let browser;
const launchStart = Date.now();
try {
  browser = await chromium.launch({ executablePath, headless: true, args: chromiumFlags, timeout: 30_000 });
} catch (e) {
  fail(`cannot start Chromium at ${executablePath}: ${e.message}`);
}
console.log(`chromium decodes aiortc: chromium ${browser.version()} started in ${Date.now() - launchStart} ms; ` +
            `server ${baseUrl}; aiortc participant ${aiortcId} (${aiortcName})`);

const errors = [];
const context = await browser.newContext({ permissions: ['camera', 'microphone'] });
await context.addInitScript(() => {
  window.__cspViolations = [];
  document.addEventListener('securitypolicyviolation', (e) => {
    window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`);
  });
});
const page = await context.newPage();
page.on('console', (m) => {
  if (m.type() === 'error' || m.type() === 'warning') console.log(`  [chromium ${m.type()}] ${m.text()}`);
});
page.on('pageerror', (e) => {
  errors.push(e.message);
  console.log(`  [chromium page error] ${e.message}`);
});

const stats = () => page.evaluate(() => window.aegisApp.remoteStats());
const figures = (s) => `frames ${s?.videoFramesDecoded ?? 0}, video packets ${s?.videoPacketsReceived ?? 0}, ` +
  `audio packets ${s?.audioPacketsReceived ?? 0} bytes ${s?.audioBytesReceived ?? 0} samples ${s?.audioSamplesReceived ?? 0}`;

// The tile's picture: its size and a coarse sample of its pixels.
const picture = (id) => page.evaluate((pid) => {
  const video = document.querySelector(`[data-participant-id="${pid}"] video`);
  if (!video || !video.videoWidth) return { width: 0, height: 0, pixels: [] };
  const canvas = document.createElement('canvas');
  canvas.width = video.videoWidth;
  canvas.height = video.videoHeight;
  const ctx = canvas.getContext('2d');
  ctx.drawImage(video, 0, 0);
  const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
  const pixels = [];
  for (let y = 8; y < canvas.height; y += 16) {
    for (let x = 8; x < canvas.width; x += 16) {
      const i = (y * canvas.width + x) * 4;
      pixels.push(data[i], data[i + 1], data[i + 2]);
    }
  }
  return { width: video.videoWidth, height: video.videoHeight, paused: video.paused, pixels };
}, id);

try {
  // 1. Join and see the aiortc participant.
  const query = new URLSearchParams({ room, name: 'Chromium', token, autojoin: '1', video: 'low',
    e2ee: '0' });  // aiortc sends plain media: this page must not expect SFrame
  await page.goto(`${baseUrl}/?${query}`, { timeout: 15_000 });
  await page.waitForFunction(() => typeof window.aegisApp === 'object', null, { timeout: 10_000 });
  await page.waitForFunction(() => ['joined', 'error'].includes(window.aegisApp.state()), null, { timeout: 15_000 })
    .catch(() => {});
  const state = await page.evaluate(() => window.aegisApp.state());
  const error = await page.locator('#error').textContent();
  check(`Chromium joins room ${room}`, state === 'joined', `state=${state}${state === 'error' ? ` error="${error}"` : ''}`);

  const seen = await pollUntil(async () => {
    const participants = await page.evaluate(() => window.aegisApp.participants());
    const tiles = await page.evaluate(() =>
      [...document.querySelectorAll('[data-participant-id]')].map((t) => t.dataset.participantId));
    const ok = participants.length === 1 && participants[0].id === aiortcId && participants[0].name === aiortcName &&
               tiles.length === 1 && tiles[0] === aiortcId;
    return { ok, participants, tiles };
  }, kSeeOthersMs);
  check(`Chromium lists the aiortc participant within ${kSeeOthersMs / 1000} s`, seen.ok,
        `after ${seen.elapsed} ms: participants ${JSON.stringify(seen.participants)} tiles ${JSON.stringify(seen.tiles)}`);

  // 2. Media from aiortc: wait until it starts, then measure a window.
  const started = await pollUntil(async () => {
    const s = (await stats())[aiortcId];
    return { ok: s?.videoFramesDecoded > 0 && s?.audioPacketsReceived > 0, s };
  }, kMediaStartMs, 250);
  console.log(`chromium decodes aiortc: media ${started.ok ? 'flowing' : 'NOT flowing'} after ${started.elapsed} ms ` +
              `of waiting (${figures(started.s)})`);
  const first = (await stats())[aiortcId] ?? {};
  const firstAt = Date.now();
  const samples = [];
  while (Date.now() - firstAt < kSampleMs + 250) {
    await sleep(1000);
    samples.push((await stats())[aiortcId]?.videoFramesDecoded ?? 0);
  }
  const second = (await stats())[aiortcId] ?? {};
  const windowMs = Date.now() - firstAt;
  const frames = (second.videoFramesDecoded ?? 0) - (first.videoFramesDecoded ?? 0);
  const audioPackets = (second.audioPacketsReceived ?? 0) - (first.audioPacketsReceived ?? 0);
  const audioBytes = (second.audioBytesReceived ?? 0) - (first.audioBytesReceived ?? 0);
  const audioSamples = (second.audioSamplesReceived ?? 0) - (first.audioSamplesReceived ?? 0);
  const rising = samples.every((n, i) => n > (i === 0 ? first.videoFramesDecoded ?? 0 : samples[i - 1]));
  const detail = `over ${windowMs} ms: ${figures(first)} -> ${figures(second)}`;
  check('Chromium decodes aiortc\'s video', windowMs >= kSampleMs && frames >= kMinFramesInWindow && rising,
        `+${frames} frames (need +${kMinFramesInWindow} over >= ${kSampleMs} ms, rising every second: ` +
        `${rising ? 'yes' : 'no'} ${JSON.stringify(samples)}) ${detail}`);
  check('Chromium receives aiortc\'s audio', audioPackets >= kMinAudioPacketsInWindow && audioBytes > 0 && audioSamples > 0,
        `+${audioPackets} packets, +${audioBytes} bytes, +${audioSamples} samples ` +
        `(need +${kMinAudioPacketsInWindow} packets) ${detail}`);

  // 3. The picture itself: aiortc's size, and moving.
  const p1 = await picture(aiortcId);
  await sleep(500);
  const p2 = await picture(aiortcId);
  let changed = 0;
  for (let i = 0; i < Math.min(p1.pixels.length, p2.pixels.length); ++i) {
    if (Math.abs(p1.pixels[i] - p2.pixels[i]) > 8) ++changed;
  }
  const share = p1.pixels.length ? changed / p1.pixels.length : 0;
  check('the aiortc tile plays its picture', p2.width === width && p2.height === height && !p2.paused,
        `video element ${p2.width}x${p2.height} paused=${p2.paused} (aiortc sends ${width}x${height})`);
  check('the aiortc picture moves', share >= 0.2,
        `${changed} of ${p1.pixels.length} sampled colour values changed over 500 ms (${(share * 100).toFixed(0)} %, need 20 %)`);
} catch (e) {
  check('test ran to the end', false, e.stack ?? String(e));
}

const csp = await page.evaluate(() => window.__cspViolations).catch((e) => [`cannot read: ${e.message}`]);
check('no CSP violation, no page error', csp.length === 0 && errors.length === 0,
      `csp ${JSON.stringify(csp)} errors ${JSON.stringify(errors)}`);

await browser.close().catch(() => {});
clearTimeout(watchdog);
console.log(`chromium decodes aiortc: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);

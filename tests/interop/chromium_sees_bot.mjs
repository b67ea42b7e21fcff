#!/usr/bin/env node
// Chromium side of the aegis-bot + Chromium test (bot_chromium.sh starts the
// server and an aegis-bot in room C, then runs this):
//   chromium_sees_bot.mjs BASE_URL
// with in the environment:
//   AEGIS_TOKEN_CHROMIUM   room C token for the browser
//   AEGIS_BOT_ID           the bot's participant id (from its "joined" line)
//
// One headless Chromium page (the demo app, e2ee=0, video=low; it publishes
// its fake camera and microphone, which the bot must receive). Checks:
//   1. the page joins room C and lists the bot within 20 s;
//   2. over >= 5 s it receives the bot's video and audio RTP: inbound-rtp
//      packetsReceived rising (window.aegisApp.remoteStats());
//   3. and decodes them: the bot's VP8 test pattern (frames decoded, at
//      least a third of its 30 a second) and its Opus tone (audio energy,
//      which concealment of undecodable packets would not give).
// Prints one line per check and `chromium sees bot: N passed, N failed`.
import { launchChromium, makeReport, sleep } from './chromium_harness.mjs';

const baseUrl = (process.argv[2] ?? '').replace(/\/+$/, '');
const kSampleMs = 5_000;
const kMinVideoPackets = 100;  // the bot sends ~60 video packets/s
const kMinAudioPackets = 100;  // and 50 audio packets/s
const kMinFramesDecoded = 50;  // of the ~150 it sends in 5 s

const report = makeReport('chromium sees bot');
const { fail, check, finish } = report;
const token = process.env.AEGIS_TOKEN_CHROMIUM ?? '';
const botId = process.env.AEGIS_BOT_ID ?? '';
if (!/^https?:\/\/[^/]+$/.test(baseUrl)) fail(`usage: chromium_sees_bot.mjs BASE_URL (got '${baseUrl}')`);
if (!/^[A-Za-z0-9_-]{1,64}$/.test(botId)) fail(`AEGIS_BOT_ID is missing or not an id: '${botId}'`);

const watchdog = setTimeout(() => fail('the whole test took over 80 s'), 80_000);
const browser = await launchChromium(report);
const context = await browser.newContext({ permissions: ['camera', 'microphone'] });
const page = await context.newPage();
page.on('pageerror', (e) => console.log(`  [chromium page error] ${e.message}`));
const stats = async () => (await page.evaluate(() => window.aegisApp.remoteStats()))[botId] ?? {};
const figures = (s) => `video packets ${s.videoPacketsReceived ?? 0} (frames decoded ${s.videoFramesDecoded ?? 0}), ` +
  `audio packets ${s.audioPacketsReceived ?? 0} (energy ${(s.audioEnergy ?? 0).toFixed(4)})`;

try {
  const query = new URLSearchParams({ room: 'C', name: 'Chromium', token, autojoin: '1', video: 'low', e2ee: '0' });
  await page.goto(`${baseUrl}/?${query}`, { timeout: 15_000 });
  await page.waitForFunction(() => typeof window.aegisApp === 'object', null, { timeout: 10_000 });
  await page.waitForFunction(() => ['joined', 'error'].includes(window.aegisApp.state()), null, { timeout: 15_000 })
    .catch(() => {});
  const state = await page.evaluate(() => window.aegisApp.state());
  check('Chromium joins room C', state === 'joined', `state=${state}`);
  let listed = false;
  for (let i = 0; i < 200 && !listed; ++i) {
    listed = (await page.evaluate(() => window.aegisApp.participants())).some((p) => p.id === botId);
    if (!listed) await sleep(100);
  }
  check('Chromium lists the bot', listed, `bot ${botId}`);
  for (let i = 0; i < 80; ++i) {
    const s = await stats();
    if ((s.videoPacketsReceived ?? 0) > 0 && (s.audioPacketsReceived ?? 0) > 0) break;
    await sleep(250);
  }
  const first = await stats();
  const firstAt = Date.now();
  const samples = [];
  while (Date.now() - firstAt < kSampleMs + 250) {
    await sleep(1000);
    samples.push((await stats()).videoPacketsReceived ?? 0);
  }
  const second = await stats();
  const video = (second.videoPacketsReceived ?? 0) - (first.videoPacketsReceived ?? 0);
  const audio = (second.audioPacketsReceived ?? 0) - (first.audioPacketsReceived ?? 0);
  const rising = samples.every((n, i) => n > (i === 0 ? first.videoPacketsReceived ?? 0 : samples[i - 1]));
  const detail = `over ${Date.now() - firstAt} ms: ${figures(first)} -> ${figures(second)}`;
  check('Chromium receives the bot\'s video RTP', video >= kMinVideoPackets && rising,
        `+${video} packets (need +${kMinVideoPackets}, rising every second: ${JSON.stringify(samples)}) ${detail}`);
  check('Chromium receives the bot\'s audio RTP', audio >= kMinAudioPackets, `+${audio} packets ${detail}`);
  const frames = (second.videoFramesDecoded ?? 0) - (first.videoFramesDecoded ?? 0);
  check('Chromium decodes the bot\'s VP8 test pattern', frames >= kMinFramesDecoded,
        `+${frames} frames decoded (need +${kMinFramesDecoded})`);
  // A -15 dBFS tone: audioLevel about 0.18, so about 0.03 of energy a second.
  const energy = (second.audioEnergy ?? 0) - (first.audioEnergy ?? 0);
  check('Chromium decodes the bot\'s Opus tone (audio energy)', energy > 0.02,
        `+${energy.toFixed(4)} over ${((Date.now() - firstAt) / 1000).toFixed(1)} s`);
} catch (e) {
  check('test ran to the end', false, e.stack ?? String(e));
}
await browser.close().catch(() => {});
clearTimeout(watchdog);
finish();

#!/usr/bin/env node
// A Chromium participant that joins and publishes, for tests driven from
// elsewhere (whep_endpoint.py's WHEP viewer of a browser):
//   chromium_publishes.mjs BASE_URL ROOM TOKEN [SECONDS]
// The demo app (e2ee=0, video=low) joins ROOM with its fake camera and
// microphone; once it is publishing both, prints `publishing <participant
// id>`, then stays until SIGTERM or SECONDS (default 60) and leaves. Exits
// non-zero with the reason if it cannot join or publish within 20 s.
import { launchChromium, makeReport, openApp, sleep } from './chromium_harness.mjs';

const [baseUrl, room, token, seconds = '60'] = process.argv.slice(2).map((a) => a.replace(/\/+$/, ''));
const report = makeReport('chromium publishes');
if (!/^https?:\/\/[^/]+$/.test(baseUrl ?? '') || !room || !token) {
  report.fail('usage: chromium_publishes.mjs BASE_URL ROOM TOKEN [SECONDS]');
}
const browser = await launchChromium(report);
let stop = false;
process.on('SIGTERM', () => { stop = true; });
try {
  const page = await openApp(browser, baseUrl, { room, name: 'Chromium', token, autojoin: '1', e2ee: '0', video: 'low' });
  await page.waitForFunction(() => window.aegisApp.state() === 'joined' && window.aegisApp.sending().audio &&
                                   window.aegisApp.sending().video, null, { timeout: 20_000 });
  console.log(`publishing ${await page.evaluate(() => window.aegisApp.selfId())}`);
  const end = Date.now() + Number(seconds) * 1000;
  while (!stop && Date.now() < end) await sleep(200);
} catch (e) {
  console.error(`chromium publishes: FAIL: ${e.message}`);
  process.exitCode = 1;
}
await browser.close().catch(() => {});

#!/usr/bin/env node
// A dropped signaling connection with real browsers (signaling_resume.sh
// starts the server and mints the tokens):
//   chromium_signaling_resume.mjs DIRECT_URL PROXY_URL
// with AEGIS_TOKEN_A, _B, _C (room S) and AEGIS_SERVER_LOG in the environment.
//
// A loads the app through tcp_cut.mjs (PROXY_URL), so its WebSocket can be
// cut; B and C connect directly. Checks:
//   1. A and B join and decode each other's video;
//   2. the proxy cuts A's signaling for 5 s: A's app says it is
//      reconnecting within 2 s, B keeps listing A and keeps decoding A's
//      video (media does not go through the proxy), and C joins meanwhile;
//   3. after the cut A is back within 5 s: the same participant id, no
//      longer reconnecting, the notice gone; it lists C and decodes C's
//      video (what it missed was replayed: participant_joined, the offer);
//      B never saw A leave; the server logged the drop and the resume;
//   4. a cut longer than the grace period (15 s) ends A's session: A's app
//      shows the connection error, and B sees A leave.
// Prints one line per check and `signaling resume: N passed, N failed`.
import { readFile } from 'node:fs/promises';
import { launchChromium, makeReport, openApp, sleep, waitFor } from '../interop/chromium_harness.mjs';
import { startTcpCut } from './tcp_cut.mjs';

const directUrl = (process.argv[2] ?? '').replace(/\/+$/, '');
const proxyUrl = (process.argv[3] ?? '').replace(/\/+$/, '');
const report = makeReport('signaling resume');
const { fail, check, finish } = report;
const tokens = Object.fromEntries(['A', 'B', 'C'].map((n) => [n, process.env[`AEGIS_TOKEN_${n}`] ?? '']));
for (const u of [directUrl, proxyUrl]) if (!/^https?:\/\/[^/]+:\d+$/.test(u)) fail(`usage: chromium_signaling_resume.mjs DIRECT_URL PROXY_URL (got '${u}')`);
for (const [n, t] of Object.entries(tokens)) if (t.split('.').length !== 3) fail(`AEGIS_TOKEN_${n} is missing or not a JWT`);

const watchdog = setTimeout(() => fail('the whole test took over 150 s'), 150_000);
const direct = new URL(directUrl);
const viaProxy = new URL(proxyUrl);
let proxy;
try {
  proxy = await startTcpCut({ listen: viaProxy.hostname, port: Number(viaProxy.port), server: direct.hostname, serverPort: Number(direct.port) });
} catch (e) {
  fail(`cannot start the TCP proxy on ${viaProxy.host}: ${e.message}`);
}
const browser = await launchChromium(report);

const open = (who, base) => openApp(browser, base, { room: 'S', name: who, token: tokens[who], autojoin: '1', e2ee: '0',
  video: 'low' }, { label: who });
const app = (page, fn, arg) => page.evaluate(fn, arg);
const state = (page) => app(page, () => window.aegisApp.state());
const selfId = (page) => app(page, () => window.aegisApp.selfId());
const lists = async (page, id) => (await app(page, () => window.aegisApp.participants())).some((p) => p.id === id);
const framesFrom = async (page, id) => (await app(page, () => window.aegisApp.remoteStats()))[id]?.videoFramesDecoded ?? 0;

try {
  const a = await open('A', proxyUrl);
  const b = await open('B', directUrl);
  const joined = await waitFor(async () => (await state(a)) === 'joined' && (await state(b)) === 'joined', 20_000);
  if (!joined.value) throw new Error(`A ${await state(a)}, B ${await state(b)}: not both joined`);
  const aId = await selfId(a);
  const bId = await selfId(b);
  const decoding = await waitFor(async () => (await framesFrom(a, bId)) > 0 && (await framesFrom(b, aId)) > 0, 20_000);
  check('A and B decode each other', decoding.value, `within ${decoding.elapsed} ms`);

  // 2. A short outage of A's signaling.
  const framesBefore = await framesFrom(b, aId);
  proxy.cut();
  const cutAt = Date.now();
  const saysSo = await waitFor(async () => (await app(a, () => window.aegisApp.reconnecting())) &&
    (await app(a, () => window.aegisApp.notice())).includes('reconnecting'), 2_000);
  check('A says it is reconnecting', saysSo.value, `after ${saysSo.elapsed} ms: "${await app(a, () => window.aegisApp.notice())}"`);
  const c = await open('C', directUrl);
  const cJoined = await waitFor(async () => (await state(c)) === 'joined', 15_000);
  const cId = await selfId(c);
  let bAlwaysListsA = true;
  while (Date.now() - cutAt < 5_000) {
    bAlwaysListsA &&= await lists(b, aId);
    await sleep(200);
  }
  const framesDuring = await framesFrom(b, aId);
  check('C joins while A is away', cJoined.value, `C ${cId}`);
  check('B keeps decoding A\'s video while A\'s signaling is down', framesDuring - framesBefore >= 30,
        `+${framesDuring - framesBefore} frames over the ${((Date.now() - cutAt) / 1000).toFixed(1)} s outage`);

  // 3. Back.
  proxy.restore();
  const restoredAt = Date.now();
  const back = await waitFor(async () => !(await app(a, () => window.aegisApp.reconnecting())) && (await state(a)) === 'joined', 5_000);
  const notice = await app(a, () => window.aegisApp.notice());
  check('A resumes within 5 s of the outage ending', back.value && !notice.includes('reconnecting'),
        `after ${Date.now() - restoredAt} ms (state ${await state(a)}, notice "${notice}", proxy ${JSON.stringify(proxy.counters())})`);
  check('A is the same participant', (await selfId(a)) === aId, `${await selfId(a)} (was ${aId})`);
  const seesC = await waitFor(async () => (await lists(a, cId)) && (await framesFrom(a, cId)) > 0, 15_000);
  check('A got what it missed: it lists C and decodes C\'s video', seesC.value, `within ${seesC.elapsed} ms`);
  check('B never saw A leave', bAlwaysListsA && (await lists(b, aId)), `listed throughout: ${bAlwaysListsA}`);

  // 4. An outage longer than the grace period ends the session.
  proxy.cut();
  const longCut = Date.now();
  const aGone = await waitFor(async () => !(await lists(b, aId)), 20_000, 250);
  const aEnded = await waitFor(async () => (await state(a)) !== 'joined', 5_000, 250);
  const errorCode = await app(a, () => document.getElementById('error')?.dataset.code ?? '');
  check('after 15 s away B sees A leave', aGone.value, `after ${((Date.now() - longCut) / 1000).toFixed(1)} s`);
  check('and A\'s app ends the call with the connection error', aEnded.value && errorCode !== '',
        `state ${await state(a)}, error ${errorCode}`);

  const log = await readFile(process.env.AEGIS_SERVER_LOG ?? '', 'utf8').catch(() => '');
  check('the server logged the drop and the resume',
        log.includes(`participant ${aId} in room S: signaling dropped`) && /resume room S participant/.test(log),
        `drop line ${log.includes('signaling dropped')}, resume line ${/resume room S/.test(log)}`);
} catch (e) {
  check('test ran to the end', false, e.stack ?? String(e));
}
await browser.close().catch(() => {});
proxy.close();
clearTimeout(watchdog);
finish();

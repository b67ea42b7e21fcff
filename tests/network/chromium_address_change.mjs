#!/usr/bin/env node
// A browser whose address changes mid-call (address_change.sh runs Chromium
// in a namespace of its own, over a veth to the server's):
//   chromium_address_change.mjs BASE_URL
// with AEGIS_TOKEN_A, AEGIS_TOKEN_B (room M) and AEGIS_CLIENT_NETNS.
//
// Two pages (the demo app, e2ee=0, video=low) call each other; then the
// browser's address moves from 10.77.1.2 to 10.77.1.3 (the old one is
// removed, as when a laptop changes networks). Checks: both decode each
// other before; after the move each page decodes the other's video again
// within 5 s (media resumed on both connections of both pages), and the
// room still holds both (nobody rejoined). Prints the times; with
// AEGIS_DEBUG_ICE=1 also A's candidates and pairs after the move.
//
// Not in CTest yet (tests/network/CMakeLists.txt): run here on 2026-12-07,
// media did not resume in 15 s. Chromium kept its pair on the removed
// address (126 checks sent, no answer) and gathered no candidate for the
// new one: it needs restartIce(), which the server refuses today.
import { execFileSync } from 'node:child_process';
import { kChromiumFlags, launchChromium, makeReport, openApp, sleep, waitFor } from '../interop/chromium_harness.mjs';

const baseUrl = (process.argv[2] ?? '').replace(/\/+$/, '');
const report = makeReport('address change');
const { fail, check, finish } = report;
const tokens = { A: process.env.AEGIS_TOKEN_A ?? '', B: process.env.AEGIS_TOKEN_B ?? '' };
const ns = process.env.AEGIS_CLIENT_NETNS ?? '';
if (!/^https:\/\/[^/]+$/.test(baseUrl)) fail(`usage: chromium_address_change.mjs BASE_URL (got '${baseUrl}')`);
if (!ns) fail('AEGIS_CLIENT_NETNS is not set');

const watchdog = setTimeout(() => fail('the whole test took over 100 s'), 100_000);
const browser = await launchChromium(report, [...kChromiumFlags, '--ignore-certificate-errors']);

const open = (who) => openApp(browser, baseUrl, { room: 'M', name: who, token: tokens[who], autojoin: '1', e2ee: '0',
  video: 'low' }, { label: who, contextOptions: { ignoreHTTPSErrors: true } });
const app = (page, fn) => page.evaluate(fn);
const framesFrom = async (page, id) => (await app(page, () => window.aegisApp.remoteStats()))[id]?.videoFramesDecoded ?? 0;
const ip = (...args) => execFileSync('ip', ['-n', ns, ...args], { stdio: 'pipe' });

try {
  const a = await open('A');
  const b = await open('B');
  const joined = await waitFor(async () => (await app(a, () => window.aegisApp.state())) === 'joined' &&
    (await app(b, () => window.aegisApp.state())) === 'joined', 20_000);
  if (!joined.value) throw new Error('the pages did not both join');
  const aId = await app(a, () => window.aegisApp.selfId());
  const bId = await app(b, () => window.aegisApp.selfId());
  const decoding = await waitFor(async () => (await framesFrom(a, bId)) > 10 && (await framesFrom(b, aId)) > 10, 20_000);
  check('A and B decode each other', decoding.value, `within ${decoding.elapsed} ms`);

  ip('addr', 'add', '10.77.1.3/24', 'dev', 'veth-cli');
  ip('addr', 'del', '10.77.1.2/24', 'dev', 'veth-cli');
  const movedAt = Date.now();
  await sleep(300);  // whatever was in flight
  const base = { a: await framesFrom(a, bId), b: await framesFrom(b, aId) };
  const resumed = await waitFor(async () => (await framesFrom(a, bId)) > base.a + 10 && (await framesFrom(b, aId)) > base.b + 10, 15_000, 200);
  const took = Date.now() - movedAt;
  console.log(`  after the move: A ${base.a} -> ${await framesFrom(a, bId)} frames of B, B ${base.b} -> ${await framesFrom(b, aId)} of A, ${took} ms`);
  check('media resumes both ways within 5 s of the address change', resumed.value && took <= 5_300, `${took} ms`);
  if (process.env.AEGIS_DEBUG_ICE) {
    console.log(JSON.stringify(await a.evaluate(async () => {
      const out = [];
      for (const pc of window.__peerConnections) {
        const stats = await pc.getStats();
        const pcOut = { state: pc.connectionState, ice: pc.iceConnectionState, local: [], pairs: [] };
        stats.forEach((r) => {
          if (r.type === 'local-candidate') pcOut.local.push(`${r.address}:${r.port} ${r.candidateType}`);
          if (r.type === 'candidate-pair') {
            const l = stats.get(r.localCandidateId);
            pcOut.pairs.push(`${l?.address}:${l?.port} ${r.state} nom=${r.nominated} sent=${r.requestsSent} resp=${r.responsesReceived}`);
          }
        });
        out.push(pcOut);
      }
      return out;
    }), null, 1));
  }
  const still = (await app(a, () => window.aegisApp.participants())).some((p) => p.id === bId) &&
    (await app(b, () => window.aegisApp.participants())).some((p) => p.id === aId);
  check('both are still in the room as the same participants', still, `A ${aId}, B ${bId}`);
} catch (e) {
  check('test ran to the end', false, e.stack ?? String(e));
}
await browser.close().catch(() => {});
clearTimeout(watchdog);
finish();

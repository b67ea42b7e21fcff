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
// within 5 s (media resumed on both connections of both pages), the server
// restarted ICE on all four connections (/metrics), and the room still
// holds both (nobody rejoined). Prints the times; with AEGIS_DEBUG_ICE=1
// also A's candidates and pairs after the move.
//
// What happens (docs/protocol.md §2): Chromium notices nothing for 5.5 s
// (then its ICE state goes `disconnected`) and gathers no candidate for the
// new address by itself; the SDK's heartbeat finds the signaling socket
// dead after 3 s of silence, resumes the session on a new socket, and
// restarts ICE on both connections, which the server follows to the new
// address.
import { execFileSync } from 'node:child_process';
import { metricSums } from './server_metrics.mjs';
import { kChromiumFlags, launchChromium, makeReport, sleep, waitFor } from '../interop/chromium_harness.mjs';
import { framesFrom, openCallPair } from './call_pair.mjs';

const baseUrl = (process.argv[2] ?? '').replace(/\/+$/, '');
const report = makeReport('address change');
const { fail, check, finish } = report;
const tokens = { A: process.env.AEGIS_TOKEN_A ?? '', B: process.env.AEGIS_TOKEN_B ?? '' };
const ns = process.env.AEGIS_CLIENT_NETNS ?? '';
if (!/^https:\/\/[^/]+$/.test(baseUrl)) fail(`usage: chromium_address_change.mjs BASE_URL (got '${baseUrl}')`);
if (!ns) fail('AEGIS_CLIENT_NETNS is not set');

const watchdog = setTimeout(() => fail('the whole test took over 100 s'), 100_000);
const browser = await launchChromium(report, [...kChromiumFlags, '--ignore-certificate-errors']);

const app = (page, fn) => page.evaluate(fn);
const ip = (...args) => execFileSync('ip', ['-n', ns, ...args], { stdio: 'pipe' });
const iceRestarts = async () => (await metricSums(baseUrl, ['aegis_ice_restarts_total'])).aegis_ice_restarts_total;

try {
  const { a, b, aId, bId } = await openCallPair(browser, baseUrl, 'M', tokens);
  const decoding = await waitFor(async () => (await framesFrom(a, bId)) > 10 && (await framesFrom(b, aId)) > 10, 20_000);
  check('A and B decode each other', decoding.value, `within ${decoding.elapsed} ms`);

  const restartsBefore = await iceRestarts();
  ip('addr', 'add', '10.77.1.3/24', 'dev', 'veth-cli');
  ip('addr', 'del', '10.77.1.2/24', 'dev', 'veth-cli');
  const movedAt = Date.now();
  await sleep(300);  // whatever was in flight
  const base = { a: await framesFrom(a, bId), b: await framesFrom(b, aId) };
  const resumed = await waitFor(async () => (await framesFrom(a, bId)) > base.a + 10 && (await framesFrom(b, aId)) > base.b + 10, 15_000, 200);
  const took = Date.now() - movedAt;
  console.log(`  after the move: A ${base.a} -> ${await framesFrom(a, bId)} frames of B, B ${base.b} -> ${await framesFrom(b, aId)} of A, ${took} ms`);
  check('media resumes both ways within 5 s of the address change', resumed.value && took <= 5_000, `${took} ms`);
  const restarts = await iceRestarts() - restartsBefore;
  check('the server restarted ICE on both connections of both pages', restarts >= 4,
    `${restarts} restarts (none before the move: ${restartsBefore === 0})`);
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

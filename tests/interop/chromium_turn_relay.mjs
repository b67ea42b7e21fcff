#!/usr/bin/env node
// Relay-only media through a real coturn (turn_relay.sh starts coturn and
// two `aegis serve`, one offering the relay and one without, then runs this):
//   chromium_turn_relay.mjs RELAY_SERVER_URL PLAIN_SERVER_URL
// with in the environment AEGIS_TOKEN_A, AEGIS_TOKEN_B (room R of the relay
// server, relay-only by policy), AEGIS_TOKEN_C (room R of the plain one),
// AEGIS_TOKEN_D (room P of the plain one, relay-only by policy),
// AEGIS_TURN_ADDRESS (the relay's address) and AEGIS_MEDIA_ADDRESS (the relay
// server's media address).
//
// One browser, one context per page; the demo app, A with relay=1 (the SDK's
// relayOnly: iceTransportPolicy 'relay'), B without (the room's policy,
// joined.relay_only, imposes it). Checks:
//   1. A and B join room R and each lists the other;
//   2. over >= 4 s each keeps decoding the other's video (frames decoded
//      rising);
//   3. every connected RTCPeerConnection of A and B has a selected candidate
//      pair whose local candidate is a relay candidate on the TURN relay's
//      address and whose remote candidate is the server's media address: the
//      page's own addresses never reached the media server;
//   4. C asks for relay-only media from a server that offers no relay: the
//      join ends in state 'error' showing `relay_unavailable`;
//   5. D joins a relay-only room of that server without asking for relay:
//      the server refuses it, `relay_unavailable`.
// Prints one line per check and `turn relay: N passed, N failed`; exits
// non-zero on any failure, including when Chromium cannot start (never skips).
import { keepPeerConnections, launchChromium, makeReport, sleep } from './chromium_harness.mjs';

const relayUrl = (process.argv[2] ?? '').replace(/\/+$/, '');
const plainUrl = (process.argv[3] ?? '').replace(/\/+$/, '');
const report = makeReport('turn relay');
const { fail, check, finish } = report;
const env = (name) => process.env[name] ?? '';
const tokens = { A: env('AEGIS_TOKEN_A'), B: env('AEGIS_TOKEN_B'), C: env('AEGIS_TOKEN_C'), D: env('AEGIS_TOKEN_D') };
const turnAddress = env('AEGIS_TURN_ADDRESS');
const mediaAddress = env('AEGIS_MEDIA_ADDRESS');
for (const u of [relayUrl, plainUrl]) {
  if (!/^https?:\/\/[^/]+$/.test(u)) fail(`usage: chromium_turn_relay.mjs RELAY_SERVER_URL PLAIN_SERVER_URL (got '${u}')`);
}
for (const [n, t] of Object.entries(tokens)) if (t.split('.').length !== 3) fail(`AEGIS_TOKEN_${n} is missing or not a JWT`);
if (!turnAddress || !mediaAddress) fail('AEGIS_TURN_ADDRESS and AEGIS_MEDIA_ADDRESS are needed');

const watchdog = setTimeout(() => fail('the whole test took over 90 s'), 90_000);
const browser = await launchChromium(report);
const kSampleMs = 4_000;

async function open(label, baseUrl, token, { relay = true, room = 'R' } = {}) {
  const context = await browser.newContext({ permissions: ['camera', 'microphone'] });
  await context.addInitScript(keepPeerConnections);  // for each connection's stats
  const page = await context.newPage();
  page.on('pageerror', (e) => console.log(`  [${label} page error] ${e.message}`));
  const query = new URLSearchParams({ room, name: label, token, autojoin: '1', video: 'low', e2ee: '0',
    ...(relay ? { relay: '1' } : {}) });
  await page.goto(`${baseUrl}/?${query}`, { timeout: 15_000 });
  await page.waitForFunction(() => typeof window.aegisApp === 'object', null, { timeout: 10_000 });
  await page.waitForFunction(() => ['joined', 'error'].includes(window.aegisApp.state()), null, { timeout: 20_000 })
    .catch(() => {});
  return { label, page };
}

// The selected pair of each connected RTCPeerConnection: its local and
// remote candidates as getStats reports them.
const selectedPairs = (p) => p.page.evaluate(async () => {
  const out = [];
  for (const pc of window.__peerConnections) {
    if (pc.connectionState !== 'connected') continue;
    const stats = await pc.getStats();
    let pair = null;
    stats.forEach((s) => {
      if (s.type === 'transport' && s.selectedCandidatePairId) pair = stats.get(s.selectedCandidatePairId);
    });
    const local = pair ? stats.get(pair.localCandidateId) : null;
    const remote = pair ? stats.get(pair.remoteCandidateId) : null;
    out.push({
      local: local ? { type: local.candidateType, address: local.address ?? local.ip, port: local.port } : null,
      remote: remote ? { type: remote.candidateType, address: remote.address ?? remote.ip, port: remote.port } : null,
    });
  }
  return out;
});

try {
  const a = await open('A', relayUrl, tokens.A);
  const b = await open('B', relayUrl, tokens.B, { relay: false });
  const ids = {};
  for (const p of [a, b]) {
    const state = await p.page.evaluate(() => window.aegisApp.state());
    const error = state === 'error' ? await p.page.locator('#error').textContent() : '';
    check(`${p.label} joins room R relay-only`, state === 'joined', `state=${state}${error ? ` error="${error}"` : ''}`);
    ids[p.label] = await p.page.evaluate(() => window.aegisApp.selfId());
  }
  const other = (p) => (p === a ? ids.B : ids.A);
  const decoded = async (p) => ((await p.page.evaluate(() => window.aegisApp.remoteStats()))[other(p)] ?? {})
    .videoFramesDecoded ?? 0;
  for (let i = 0; i < 100; ++i) {
    if ((await decoded(a)) > 0 && (await decoded(b)) > 0) break;
    await sleep(200);
  }
  const before = { A: await decoded(a), B: await decoded(b) };
  const started = Date.now();
  await sleep(kSampleMs);
  for (const p of [a, b]) {
    const after = await decoded(p);
    check(`${p.label} decodes the other's video through the relay`, after - before[p.label] >= 20,
          `frames decoded ${before[p.label]} -> ${after} over ${Date.now() - started} ms (need +20)`);
  }
  for (const p of [a, b]) {
    const pairs = await selectedPairs(p);
    const allRelayed = pairs.length === 2 && pairs.every((s) => s.local?.type === 'relay' &&
      s.local.address === turnAddress && s.remote?.address === mediaAddress);
    check(`${p.label}'s two connections use only the relay`, allRelayed, JSON.stringify(pairs));
  }
  const c = await open('C', plainUrl, tokens.C);
  const cState = await c.page.evaluate(() => window.aegisApp.state());
  const cError = await c.page.locator('#error').textContent();
  check('relay-only against a server without a relay is refused clearly', cState === 'error' &&
        /relay_unavailable/.test(cError ?? ''), `state=${cState} error="${cError}"`);
  const d = await open('D', plainUrl, tokens.D, { relay: false, room: 'P' });
  const dState = await d.page.evaluate(() => window.aegisApp.state());
  const dError = await d.page.locator('#error').textContent();
  check('a relay-only room on a server without a relay refuses the join', dState === 'error' &&
        /relay_unavailable|TURN relay/.test(dError ?? ''), `state=${dState} error="${dError}"`);
} catch (e) {
  check('test ran to the end', false, e.stack ?? String(e));
}
await browser.close().catch(() => {});
clearTimeout(watchdog);
finish();

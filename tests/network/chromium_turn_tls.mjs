#!/usr/bin/env node
// A browser that may reach nothing but TCP to the signaling port and to 443
// (turn_tls_only.sh): the call goes through coturn over TLS on 443.
//   chromium_turn_tls.mjs BASE_URL
// with AEGIS_TOKEN_A, AEGIS_TOKEN_B (room S) and AEGIS_TURN_ADDRESS.
//
// Two pages (the demo app, e2ee=0, video=low, not asking for relay-only:
// the browser finds the relay path itself, or the room's policy imposes it)
// call each other. Checks: each decodes the other's video; every selected
// pair of the four connections has a relay candidate reached over TLS
// (relayProtocol "tls"; AEGIS_RELAY_PROTOCOL names another, as relay_only.sh
// does) on the TURN address. Prints how long the call took to connect.
import { kChromiumFlags, launchChromium, makeReport, waitFor } from '../interop/chromium_harness.mjs';
import { framesFrom, openCallPair, selectedPairs } from './call_pair.mjs';

const baseUrl = (process.argv[2] ?? '').replace(/\/+$/, '');
const relayProtocol = process.env.AEGIS_RELAY_PROTOCOL ?? 'tls';
const report = makeReport(relayProtocol === 'tls' ? 'turn tls only' : `through the relay over ${relayProtocol}`);
const { fail, check, finish } = report;
const tokens = { A: process.env.AEGIS_TOKEN_A ?? '', B: process.env.AEGIS_TOKEN_B ?? '' };
const turnAddress = process.env.AEGIS_TURN_ADDRESS ?? '';
if (!/^https:\/\/[^/]+$/.test(baseUrl)) fail(`usage: chromium_turn_tls.mjs BASE_URL (got '${baseUrl}')`);
if (!turnAddress) fail('AEGIS_TURN_ADDRESS is not set');

const watchdog = setTimeout(() => fail('the whole test took over 90 s'), 90_000);
const browser = await launchChromium(report, [...kChromiumFlags, '--ignore-certificate-errors']);

try {
  const started = Date.now();
  const { a, b, aId, bId } = await openCallPair(browser, baseUrl, 'S', tokens);
  const decoding = await waitFor(async () => (await framesFrom(a, bId)) > 10 && (await framesFrom(b, aId)) > 10, 40_000);
  check('A and B decode each other through the relay', decoding.value,
    `${Date.now() - started} ms from opening the pages (A ${await framesFrom(a, bId)} frames of B, B ${await framesFrom(b, aId)} of A)`);
  const pairs = [...await selectedPairs(a), ...await selectedPairs(b)];
  console.log(`  selected pairs: ${JSON.stringify(pairs)}`);
  check(`all four connections go through the relay over ${relayProtocol}`, pairs.length === 4 &&
    pairs.every((p) => p.state === 'connected' && p.local?.type === 'relay' && p.local.relayProtocol === relayProtocol &&
      p.local.address === turnAddress),
    `${pairs.length} connections`);
} catch (e) {
  check('test ran to the end', false, e.stack ?? String(e));
}
await browser.close().catch(() => {});
clearTimeout(watchdog);
finish();

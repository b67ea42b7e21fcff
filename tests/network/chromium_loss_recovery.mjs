#!/usr/bin/env node
// Loss recovery with real browsers (loss_recovery.sh starts the server with
// its media candidates on 127.0.0.2, where udp_relay.mjs forwards to the
// server and can lose and delay media):
//   chromium_loss_recovery.mjs BASE_URL
// with AEGIS_TOKEN_A, AEGIS_TOKEN_B (room L) and AEGIS_RELAY
// (LISTEN_IP:PORT>SERVER_IP:PORT) in the environment.
//
// Two Chromium pages (the demo app, e2ee=0) in one room, each sending its
// fake camera and microphone to the other through the relay, so every
// packet crosses a lossy hop twice: publisher → SFU and SFU → subscriber.
//   1. both decode the other's video;
//   2. lossless, 20 s: frames each page decodes per second (the baseline);
//   3. 5 % random loss of RTP/RTCP both ways and 40 ms delay each way, 20 s:
//      each page still decodes >= 80 % of its baseline frames per second;
//      freezes (inbound-rtp freezeCount) are reported;
//   4. the repair is what did it: the subscribers NACKed, the SFU answered
//      with RTX from its cache (aegis_retransmissions_sent_total), asked the
//      publishers for its own holes (aegis_nacks_sent_total) and got their
//      RTX (aegis_rtx_received_total, aegis_upstream_packets_recovered_total),
//      and the browsers counted retransmitted packets received.
// Prints the figures, one line per check and `loss recovery: N passed, N
// failed`; exits non-zero on any failure, also when Chromium cannot start.
import { launchChromium, makeReport, openApp, sleep } from '../interop/chromium_harness.mjs';
import { startUdpRelay } from '../interop/udp_relay.mjs';
import { measureVideo as measure, statsDiff as diff, videoStats } from './video_stats.mjs';

const baseUrl = (process.argv[2] ?? '').replace(/\/+$/, '');
const kWindowMs = 20_000;
const kWarmUpMs = 5_000;
const kLossPct = 5;
const kDelayMs = 40;
const kMinRatio = 0.8;

const report = makeReport('loss recovery');
const { fail, check, finish } = report;
const tokens = { A: process.env.AEGIS_TOKEN_A ?? '', B: process.env.AEGIS_TOKEN_B ?? '' };
if (!/^https?:\/\/[^/]+$/.test(baseUrl)) fail(`usage: chromium_loss_recovery.mjs BASE_URL (got '${baseUrl}')`);
for (const [n, t] of Object.entries(tokens)) if (t.split('.').length !== 3) fail(`AEGIS_TOKEN_${n} is missing or not a JWT`);
const relaySpec = /^([\d.]+):(\d+)>([\d.]+):(\d+)$/.exec(process.env.AEGIS_RELAY ?? '');
if (!relaySpec) fail(`AEGIS_RELAY must be LISTEN_IP:PORT>SERVER_IP:PORT (got '${process.env.AEGIS_RELAY}')`);

const watchdog = setTimeout(() => fail('the whole test took over 130 s'), 130_000);
let relay;
try {
  relay = await startUdpRelay({ listen: relaySpec[1], port: Number(relaySpec[2]), server: relaySpec[3], serverPort: Number(relaySpec[4]) });
} catch (e) {
  fail(`cannot start the UDP relay on ${relaySpec[1]}:${relaySpec[2]}: ${e.message}`);
}
const browser = await launchChromium(report);

async function metrics() {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  const sum = (name) => text.split('\n').filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `))
    .reduce((n, l) => n + Number(l.trim().split(/\s+/).pop()), 0);
  return Object.fromEntries(['aegis_nacks_received_total', 'aegis_retransmissions_sent_total', 'aegis_nacks_sent_total',
    'aegis_nack_sequences_requested_total', 'aegis_rtx_received_total', 'aegis_upstream_packets_recovered_total']
    .map((n) => [n.replace(/^aegis_|_total$/g, ''), sum(n)]));
}

try {
  const pages = [];
  for (const who of ['A', 'B']) {
    pages.push(await openApp(browser, baseUrl, { room: 'L', name: who, token: tokens[who], autojoin: '1', e2ee: '0' },
                             { label: who }));
  }
  // 1. Both decode the other's video.
  let decoding = false;
  for (let i = 0; i < 100 && !decoding; ++i) {
    decoding = (await Promise.all(pages.map(videoStats))).every((s) => s.framesDecoded > 0);
    if (!decoding) await sleep(200);
  }
  check('both pages decode the other\'s video', decoding, decoding ? 'within 20 s' : 'not within 20 s');
  if (!decoding) throw new Error('no video to measure');
  await sleep(kWarmUpMs);  // the encoders ramp up

  // 2. Baseline.
  const clean = await measure(pages, kWindowMs);
  // 3. The same under loss.
  relay.set({ lossPct: kLossPct, delayMs: kDelayMs });
  const relayBefore = relay.counters();
  const serverBefore = await metrics();
  const lossy = await measure(pages, kWindowMs);
  const server = diff(await metrics(), serverBefore);
  const relayAfter = relay.counters();
  relay.set({ lossPct: 0, delayMs: 0 });

  const dropped = relayAfter.dropped - relayBefore.dropped;
  const total = dropped + relayAfter.forwarded - relayBefore.forwarded;
  console.log(`  relay: dropped ${dropped} of ${total} datagrams (${(100 * dropped / total).toFixed(1)} %), ` +
              `${kDelayMs} ms each way`);
  ['A', 'B'].forEach((who, i) => {
    const c = clean[i];
    const l = lossy[i];
    console.log(`  ${who} receiving: lossless ${c.fps.toFixed(1)} fps, ${c.freezeCount} freezes; ` +
                `lossy ${l.fps.toFixed(1)} fps, ${l.freezeCount} freezes, ${l.packetsLost} lost, ` +
                `${l.nackSent} NACKs sent, ${l.retransmittedReceived} retransmissions received; ` +
                `its own video: ${l.nackReceived} NACKs received, ${l.retransmittedSent} retransmitted`);
  });
  console.log(`  server during the loss: ${JSON.stringify(server)}`);

  ['A', 'B'].forEach((who, i) => {
    const ratio = lossy[i].fps / clean[i].fps;
    check(`${who} decodes >= ${kMinRatio * 100} % of its lossless frame rate under ${kLossPct} % loss`,
          clean[i].fps >= 5 && ratio >= kMinRatio,
          `${lossy[i].fps.toFixed(1)} / ${clean[i].fps.toFixed(1)} fps = ${(100 * ratio).toFixed(0)} %`);
  });
  check('the relay really lost packets', dropped > 0 && dropped / total > 0.02, `${dropped} of ${total}`);
  check('the subscribers NACKed and the SFU answered with RTX from its cache',
        server.nacks_received > 0 && server.retransmissions_sent > 0,
        `${server.nacks_received} NACKs, ${server.retransmissions_sent} retransmissions`);
  check('the SFU NACKed the publishers and their RTX filled its holes',
        server.nacks_sent > 0 && server.rtx_received > 0 && server.upstream_packets_recovered > 0,
        `${server.nacks_sent} NACKs (${server.nack_sequences_requested} packets), ${server.rtx_received} RTX, ` +
        `${server.upstream_packets_recovered} recovered`);
  const retransmitted = lossy.reduce((n, l) => n + l.retransmittedReceived, 0);
  check('the browsers received retransmissions', retransmitted > 0, `${retransmitted} packets`);
} catch (e) {
  check('test ran to the end', false, e.stack ?? String(e));
}
await browser.close().catch(() => {});
relay.close();
clearTimeout(watchdog);
finish();

#!/usr/bin/env node
// Group-call test: headless Chromium (Debian's /usr/bin/chromium, driven by
// playwright-core) runs the demo app (web/) served by `aegis serve`. Run
// inside a network namespace through group_call.sh, which starts the server
// and mints the tokens:
//   chromium_group_call.mjs BASE_URL     (e.g. http://127.0.0.1:18443)
// with tokens in the environment:
//   AEGIS_TOKEN_A1, AEGIS_TOKEN_A2, AEGIS_TOKEN_A3  room A
//   AEGIS_TOKEN_B1, AEGIS_TOKEN_B2                  room B
//   AEGIS_TOKEN_EXPIRED   room A, already expired
//   AEGIS_TOKEN_TO_FORGE  room A, valid: this test alters its signature
//   AEGIS_TOKEN_ROOM_B    room B, used to join room A
// and AEGIS_SERVER_LOG, the server's log (its "left room" lines).
//
// One browser, one context per participant. Checks:
//   1. A1, A2, A3 (room A) and B1, B2 (room B) join; within 20 s each page
//      lists exactly the others of its own room (SDK state and tiles);
//   2. over >= 5 s each page keeps decoding video from every other member
//      of its room and keeps receiving their audio; room isolation is
//      counted below the SDK: every byte the page's ICE candidate pairs
//      received in the window is accounted for by the RTP streams it
//      negotiated (plus SRTP tags and a small RTCP allowance), so media
//      from the other room on a stream nobody negotiated would show;
//   3. A3 clicks Leave: within 2 s A1 and A2 no longer list it (the time is
//      printed), and A1 and A2 keep receiving each other;
//   4. an expired token, a forged token and a room-B token joining room A
//      each end in state 'error' with the error element showing
//      `unauthorized`, and nobody new appears in room A;
//   5. no CSP violation and no uncaught error on any page; the e2ee=0 links
//      show the warning; only a room_admin (Boss, room B) sees the admin
//      controls, and its Mute on B2's tile shows on B1's screen and stops
//      B2's audio reaching B1 (the server drops it);
//   6. after every page closed, the server's per-connection counters (one
//      "left room" log line per participant): RTP forwarded to a member is
//      never more than its room's other members published, and B1 got
//      most of what B2 published (so the bound is not met by nothing).
// Prints one line per check and `group call: N passed, N failed`; exits
// non-zero on any failure, including when playwright-core or Chromium
// cannot start (never skips).
import { createRequire } from 'node:module';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const baseUrl = (process.argv[2] ?? '').replace(/\/+$/, '');
const executablePath = process.env.AEGIS_CHROMIUM || '/usr/bin/chromium';
const chromiumFlags = [
  '--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream',
  '--allow-loopback-in-peer-connection',
  // Pages join from a link, without a click: let remote audio play anyway.
  '--autoplay-policy=no-user-gesture-required',
];
const kSeeOthersMs = 20_000;
const kMediaStartMs = 20_000;
const kSampleMs = 5_000;
const kMinFramesInWindow = 20;        // the pages send ~15 fps: a stalled stream stays far below
const kMinAudioPacketsInWindow = 50;  // Opus sends ~50 packets/s
const kLeaveMs = 2_000;

const fail = (message) => {
  console.error(`FAIL: ${message}`);
  console.log('group call: 0 passed, 1 failed');
  process.exit(1);
};

const tokenNames = ['A1', 'A2', 'A3', 'B1', 'B2', 'BOSS', 'EXPIRED', 'TO_FORGE', 'ROOM_B'];
const serverLog = process.env.AEGIS_SERVER_LOG ?? '';
const tokens = Object.fromEntries(tokenNames.map((n) => [n, process.env[`AEGIS_TOKEN_${n}`] ?? '']));
if (!/^https?:\/\/[^/]+$/.test(baseUrl)) fail(`usage: chromium_group_call.mjs BASE_URL (got '${baseUrl}')`);
for (const n of tokenNames) {
  if (tokens[n].split('.').length !== 3) fail(`AEGIS_TOKEN_${n} is missing or not a JWT`);
}

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
let chromium;
try {
  ({ chromium } = createRequire(path.join(repoRoot, 'package.json'))('playwright-core'));
} catch (e) {
  fail(`cannot load playwright-core from ${repoRoot}/node_modules (run scripts/setup.sh): ${e.message}`);
}

// The server must serve this repository's app, or nothing below means anything.
try {
  const response = await fetch(`${baseUrl}/`);
  const body = await response.text();
  if (response.status !== 200 || !body.includes('app.js')) {
    fail(`GET ${baseUrl}/ gave status ${response.status} without the app (is web/ served?)`);
  }
} catch (e) {
  fail(`GET ${baseUrl}/: ${e.message}`);
}

const watchdog = setTimeout(() => fail('the whole test took over 170 s'), 170_000);

let passed = 0;
let failed = 0;
function check(name, ok, detail) {
  if (ok) ++passed;
  else ++failed;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}: ${detail}`);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Polls `probe` until it returns a truthy value or `ms` runs out; returns
// the last value and when it was obtained.
async function pollUntil(probe, ms, everyMs = 100) {
  const start = Date.now();
  for (;;) {
    const value = await probe();
    const elapsed = Date.now() - start;
    if (value?.ok || elapsed >= ms) return { ...value, elapsed };
    await sleep(everyMs);
  }
}

function jwtPayload(token) {
  try {
    return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
  } catch {
    return {};
  }
}

// Changes the first character of the signature: still well-formed
// base64url of the same length, but no longer the server's signature.
function forge(token) {
  const [header, payload, signature] = token.split('.');
  return `${header}.${payload}.${signature[0] === 'A' ? 'B' : 'A'}${signature.slice(1)}`;
}

let browser;
const launchStart = Date.now();
try {
  browser = await chromium.launch({ executablePath, headless: true, args: chromiumFlags, timeout: 30_000 });
} catch (e) {
  fail(`cannot start Chromium at ${executablePath}: ${e.message}`);
}
console.log(`group call: chromium ${browser.version()} started in ${Date.now() - launchStart} ms; server ${baseUrl}`);

const pages = [];  // every page opened, for the CSP and page-error checks

// Opens the app as participant `label` in its own context (own storage, own
// fake camera) and lets it join from the URL.
async function openParticipant(label, room, token) {
  const context = await browser.newContext({ permissions: ['camera', 'microphone'] });
  // Runs before the app's own scripts, outside the page's CSP. Keeps every
  // RTCPeerConnection the page creates, for the transport-level counters.
  await context.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`);
    });
    window.__peerConnections = [];
    const Native = window.RTCPeerConnection;
    window.RTCPeerConnection = class extends Native {
      constructor(...args) {
        super(...args);
        window.__peerConnections.push(this);
      }
    };
  });
  const page = await context.newPage();
  const entry = { label, context, page, errors: [] };
  pages.push(entry);
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') console.log(`  [${label} ${m.type()}] ${m.text()}`);
  });
  page.on('pageerror', (e) => {
    entry.errors.push(e.message);
    console.log(`  [${label} page error] ${e.message}`);
  });
  const query = new URLSearchParams({ room, name: label, token, autojoin: '1', video: 'low',
    e2ee: '0' });  // the plain path; chromium_e2ee.mjs covers the encrypted one
  await page.goto(`${baseUrl}/?${query}`, { timeout: 15_000 });
  await page.waitForFunction(() => typeof window.aegisApp === 'object', null, { timeout: 10_000 });
  return entry;
}

// Checks a page for CSP violations and page errors, then closes its context
// (its HTTP connections count against the server's per-address limit).
async function retire(p) {
  if (p.retired) return;
  p.retired = true;
  const csp = await p.page.evaluate(() => window.__cspViolations).catch((e) => [`cannot read: ${e.message}`]);
  check(`${p.label}: no CSP violation, no page error`, csp.length === 0 && p.errors.length === 0,
        `csp ${JSON.stringify(csp)} errors ${JSON.stringify(p.errors)}`);
  await p.context.close().catch(() => {});
}

// Waits until the app's state is one of `wanted` (or `ms` runs out); returns it.
async function settledState(p, wanted, ms) {
  await p.page.waitForFunction((w) => w.includes(window.aegisApp.state()), wanted, { timeout: ms }).catch(() => {});
  return p.page.evaluate(() => window.aegisApp.state());
}

const view = (p) => p.page.evaluate(() => ({
  state: window.aegisApp.state(),
  self: window.aegisApp.selfId(),
  participants: window.aegisApp.participants(),
  tiles: [...document.querySelectorAll('[data-participant-id]')].map((t) => t.dataset.participantId),
}));
const remoteStats = (p) => p.page.evaluate(() => window.aegisApp.remoteStats());

// What the page's connections received, below the SDK: bytes on its ICE
// candidate pairs (every datagram: SRTP, SRTCP, DTLS, STUN) and what its
// negotiated RTP streams account for (payload + header bytes, and packets).
const transportCounters = (p) => p.page.evaluate(async () => {
  const out = { pairBytes: 0, pairPackets: 0, rtpBytes: 0, rtpPackets: 0, connections: 0 };
  for (const pc of window.__peerConnections) {
    if (pc.connectionState === 'closed') continue;
    ++out.connections;
    (await pc.getStats()).forEach((r) => {
      if (r.type === 'candidate-pair') {
        out.pairBytes += r.bytesReceived ?? 0;
        out.pairPackets += r.packetsReceived ?? 0;
      } else if (r.type === 'inbound-rtp') {
        out.rtpBytes += (r.bytesReceived ?? 0) + (r.headerBytesReceived ?? 0);
        out.rtpPackets += r.packetsReceived ?? 0;
      }
    });
  }
  return out;
});
// The server answers setup:passive, so Chromium runs SRTP_AEAD_AES_128_GCM:
// a 16-byte tag per packet. RTCP (sender reports, receiver reports) and
// the rare STUN check are the rest (measured: about 200 B/s); one leaked
// audio stream alone is about 4,000 B/s, a video stream far more.
const kSrtpTagBytes = 16;
const kUnexplainedBytesPerSecond = 1_500;
const sameSet = (a, b) => a.length === b.length && [...a].sort().join() === [...b].sort().join();

// The others' counters as seen by `p`, for printing.
function figures(stats, id) {
  const s = stats[id] ?? {};
  return `frames ${s.videoFramesDecoded ?? 0}, audio packets ${s.audioPacketsReceived ?? 0} ` +
         `bytes ${s.audioBytesReceived ?? 0} samples ${s.audioSamplesReceived ?? 0}`;
}

let everyone = [];
let rooms = {};
try {
  // 1. Join: three in room A, two in room B.
  const joinStart = Date.now();
  const [a1, a2, a3, b1, b2] = await Promise.all([
    openParticipant('A1', 'A', tokens.A1), openParticipant('A2', 'A', tokens.A2),
    openParticipant('A3', 'A', tokens.A3), openParticipant('B1', 'B', tokens.B1),
    openParticipant('B2', 'B', tokens.B2),
  ]);
  const roomA = [a1, a2, a3];
  const roomB = [b1, b2];
  everyone = [...roomA, ...roomB];
  rooms = { A: roomA, B: roomB };
  const roomOf = (p) => (roomA.includes(p) ? roomA : roomB);
  for (const p of everyone) {
    const state = await settledState(p, ['joined', 'error'], 15_000);
    const error = await p.page.locator('#error').textContent();
    check(`${p.label} joins`, state === 'joined', `state=${state}${state === 'error' ? ` error="${error}"` : ''}`);
    p.id = await p.page.evaluate(() => window.aegisApp.selfId());
  }
  console.log(`group call: participant ids ${everyone.map((p) => `${p.label}=${p.id}`).join(' ')}`);

  const seen = await pollUntil(async () => {
    const views = await Promise.all(everyone.map(view));
    const ok = views.every((v, i) => {
      const others = roomOf(everyone[i]).filter((q) => q !== everyone[i]).map((q) => q.id);
      return sameSet(v.participants.map((x) => x.id), others) && sameSet(v.tiles, others);
    });
    return { ok, views };
  }, kSeeOthersMs - (Date.now() - joinStart));
  everyone.forEach((p, i) => {
    const v = seen.views[i];
    const others = roomOf(p).filter((q) => q !== p);
    const ok = sameSet(v.participants.map((x) => x.id), others.map((q) => q.id)) &&
               sameSet(v.tiles, others.map((q) => q.id));
    check(`${p.label} sees ${others.map((q) => q.label).join(' and ')} within ${kSeeOthersMs / 1000} s`, ok,
          `after ${Date.now() - joinStart} ms: participants ${JSON.stringify(v.participants)} tiles ${JSON.stringify(v.tiles)}`);
  });

  // 2. Media. First wait until every stream has started, then measure.
  const pairs = everyone.flatMap((p) => roomOf(p).filter((q) => q !== p).map((q) => [p, q]));
  const started = await pollUntil(async () => {
    const stats = await Promise.all(everyone.map(remoteStats));
    const ok = pairs.every(([p, q]) => {
      const s = stats[everyone.indexOf(p)][q.id];
      return s?.videoFramesDecoded > 0 && s?.audioPacketsReceived > 0;
    });
    return { ok, stats };
  }, kMediaStartMs, 250);
  console.log(`group call: media ${started.ok ? 'flowing' : 'NOT flowing'} after ${started.elapsed} ms of waiting`);
  if (!started.ok) {
    for (const p of everyone) {
      const error = await p.page.locator('#error').textContent();
      console.log(`  ${p.label}: state=${await p.page.evaluate(() => window.aegisApp.state())} error="${error}" ` +
                  `stats ${JSON.stringify(started.stats[everyone.indexOf(p)])}`);
    }
  }

  const [first, firstTransport] = await Promise.all([
    Promise.all(everyone.map(remoteStats)), Promise.all(everyone.map(transportCounters))]);
  const firstAt = Date.now();
  await sleep(kSampleMs + 250);
  const [second, secondTransport] = await Promise.all([
    Promise.all(everyone.map(remoteStats)), Promise.all(everyone.map(transportCounters))]);
  const windowMs = Date.now() - firstAt;
  for (const [p, q] of pairs) {
    const i = everyone.indexOf(p);
    const s0 = first[i][q.id] ?? {};
    const s1 = second[i][q.id] ?? {};
    const frames = (s1.videoFramesDecoded ?? 0) - (s0.videoFramesDecoded ?? 0);
    const audioPackets = (s1.audioPacketsReceived ?? 0) - (s0.audioPacketsReceived ?? 0);
    const audioBytes = (s1.audioBytesReceived ?? 0) - (s0.audioBytesReceived ?? 0);
    const detail = `over ${windowMs} ms: ${figures(first[i], q.id)} -> ${figures(second[i], q.id)}`;
    check(`${p.label} decodes video from ${q.label}`, windowMs >= kSampleMs && frames >= kMinFramesInWindow,
          `+${frames} frames (need +${kMinFramesInWindow} over >= ${kSampleMs} ms) ${detail}`);
    check(`${p.label} receives audio from ${q.label}`, audioPackets >= kMinAudioPacketsInWindow && audioBytes > 0,
          `+${audioPackets} packets, +${audioBytes} bytes (need +${kMinAudioPacketsInWindow} packets) ${detail}`);
  }
  // Room isolation, per page: nothing but its own room's members' streams.
  everyone.forEach((p, i) => {
    const members = roomOf(p).filter((q) => q !== p).map((q) => q.id);
    const sources = Object.keys(second[i]);
    const b = (k) => secondTransport[i][k] - firstTransport[i][k];
    const explained = b('rtpBytes') + kSrtpTagBytes * b('rtpPackets');
    const unexplained = b('pairBytes') - explained;
    const allowance = kUnexplainedBytesPerSecond * (windowMs / 1000);
    check(`${p.label} receives streams only from its own room`,
          sources.every((id) => members.includes(id)) && sameSet(sources, members),
          `inbound streams from ${JSON.stringify(sources)}; room members ${JSON.stringify(members)}`);
    check(`${p.label}: every byte its connections received is its own room's media`,
          secondTransport[i].connections >= 2 && b('rtpPackets') > 0 && unexplained <= allowance,
          `over ${windowMs} ms on ${secondTransport[i].connections} connections: candidate pairs +${b('pairBytes')} B ` +
          `in +${b('pairPackets')} datagrams; negotiated RTP +${b('rtpBytes')} B in +${b('rtpPackets')} packets ` +
          `(+${kSrtpTagBytes} B tag each); unexplained ${unexplained} B (allowed ${Math.round(allowance)} B)`);
  });

  // 3. A3 leaves.
  const leaveStart = Date.now();
  await a3.page.click('#leave');
  const gone = await Promise.all([a1, a2].map(async (p) => {
    const ok = await p.page.waitForFunction((id) =>
      !window.aegisApp.participants().some((x) => x.id === id) &&
      !document.querySelector(`[data-participant-id="${id}"]`), a3.id, { polling: 25, timeout: 5_000 })
      .then(() => true, () => false);
    return { p, ok, ms: Date.now() - leaveStart };
  }));
  for (const { p, ok, ms } of gone) {
    const v = await view(p);
    check(`A3 disappears from ${p.label} within ${kLeaveMs} ms`, ok && ms <= kLeaveMs,
          `${ok ? `gone after ${ms} ms` : `still listed after ${ms} ms`}; now participants ` +
          `${JSON.stringify(v.participants)} tiles ${JSON.stringify(v.tiles)}`);
  }
  const a3State = await a3.page.evaluate(() => window.aegisApp.state());
  check('A3 is in state left', a3State === 'left', `state=${a3State}`);

  // The subscriber renegotiation that follows a leave must not disturb the rest.
  const before = await Promise.all([a1, a2].map(remoteStats));
  await sleep(2_000);
  const after = await Promise.all([a1, a2].map(remoteStats));
  [[a1, a2], [a2, a1]].forEach(([p, q], i) => {
    const frames = (after[i][q.id]?.videoFramesDecoded ?? 0) - (before[i][q.id]?.videoFramesDecoded ?? 0);
    check(`${p.label} still decodes ${q.label} after A3 left`, frames > 0,
          `+${frames} frames over 2 s: ${figures(before[i], q.id)} -> ${figures(after[i], q.id)}`);
  });

  // A3 comes back as a new participant: its tracks take the sections its
  // old tracks left inactive on A1's and A2's subscriber connections (the
  // server recycles answered-inactive sections), and both decode it.
  const sections = (p) => p.page.evaluate(() => Math.max(0, ...window.__peerConnections
    .filter((pc) => pc.connectionState !== 'closed')
    .map((pc) => pc.getTransceivers())
    .filter((ts) => ts.length > 0 && ts.every((t) => ['recvonly', 'inactive'].includes(t.currentDirection ?? t.direction)))
    .map((ts) => ts.length)));
  const sectionsBefore = await Promise.all([a1, a2].map(sections));
  const back = await openParticipant('A3 again', 'A', tokens.A3);
  const backState = await settledState(back, ['joined', 'error'], 15_000);
  back.id = await back.page.evaluate(() => window.aegisApp.selfId());
  roomA.push(back);
  everyone.push(back);
  const decodesBack = await pollUntil(async () => {
    const stats = await Promise.all([a1, a2].map(remoteStats));
    return { ok: stats.every((st) => (st[back.id]?.videoFramesDecoded ?? 0) >= 10), stats };
  }, kMediaStartMs, 250);
  const sectionsAfter = await Promise.all([a1, a2].map(sections));
  [a1, a2].forEach((p, i) => {
    check(`${p.label} decodes A3 again on recycled sections`,
          backState === 'joined' && (decodesBack.stats[i][back.id]?.videoFramesDecoded ?? 0) >= 10 &&
          sectionsAfter[i] === sectionsBefore[i] && sectionsBefore[i] === 4,
          `state=${backState}; after ${decodesBack.elapsed} ms ${figures(decodesBack.stats[i], back.id)}; ` +
          `subscriber sections ${sectionsBefore[i]} before the rejoin, ${sectionsAfter[i]} after`);
  });
  await back.page.click('#leave');
  await Promise.all([a1, a2].map((p) => p.page.waitForFunction((id) =>
    !window.aegisApp.participants().some((x) => x.id === id), back.id, { polling: 25, timeout: 5_000 }).catch(() => {})));
  await retire(back);

  // The links turned E2EE off: every page says so.
  const warned = await Promise.all(everyone.filter((p) => !p.retired).map((p) => p.page.locator('#e2ee-warning').isVisible()));
  check('a link with e2ee=0 shows the encryption-off warning', warned.every(Boolean), JSON.stringify(warned));

  // Room administration: controls only for room_admin; a mute takes effect
  // on the wire and on everyone's screen.
  const noAdmin = await a1.page.evaluate(() => ({
    panel: !document.getElementById('admin').hidden,
    actions: [...document.querySelectorAll('.admin-actions')].filter((e) => !e.hidden).length,
  }));
  check('a participant without room_admin sees no admin controls', !noAdmin.panel && noAdmin.actions === 0,
        JSON.stringify(noAdmin));
  const boss = await openParticipant('Boss', 'B', tokens.BOSS);
  const bossState = await settledState(boss, ['joined', 'error'], 15_000);
  boss.id = await boss.page.evaluate(() => window.aegisApp.selfId());
  roomB.push(boss);
  everyone.push(boss);
  await boss.page.waitForSelector(`[data-participant-id="${b2.id}"] .mute-audio`, { timeout: 10_000 }).catch(() => {});
  const bossView = await boss.page.evaluate((id) => ({
    panel: !document.getElementById('admin').hidden,
    actions: !document.querySelector(`[data-participant-id="${id}"] .admin-actions`)?.hidden,
  }), b2.id);
  check('the room admin sees the room and participant controls', bossState === 'joined' && bossView.panel && bossView.actions,
        `state=${bossState} ${JSON.stringify(bossView)}`);
  const audioFromB2 = async () => (await remoteStats(b1))[b2.id]?.audioPacketsReceived ?? 0;
  await boss.page.click(`[data-participant-id="${b2.id}"] .mute-audio`);
  const shown = await b1.page.waitForFunction((id) =>
    !document.querySelector(`[data-participant-id="${id}"] .muted`)?.hidden, b2.id, { timeout: 3_000 })
    .then(() => true, () => false);
  await sleep(500);  // packets already in flight
  const mutedFrom = await audioFromB2();
  await sleep(2_000);
  const mutedTo = await audioFromB2();
  const mutedText = await b1.page.locator(`[data-participant-id="${b2.id}"] .muted`).textContent();
  check('an admin\'s mute shows on the others\' tiles and B2\'s audio stops reaching B1',
        shown && mutedText.includes('muted') && mutedTo - mutedFrom <= 2,
        `B1 shows "${mutedText}"; B2 audio packets at B1 over 2 s after the mute: +${mutedTo - mutedFrom}`);
  await retire(boss);

  // 4. Refused joins. The expired token must really be past its expiry.
  const exp = jwtPayload(tokens.EXPIRED).exp;
  if (typeof exp === 'number' && Date.now() / 1000 < exp + 1) await sleep((exp + 1) * 1000 - Date.now());
  const refusals = [
    ['expired token', 'A', tokens.EXPIRED, `exp=${exp}, now=${Math.floor(Date.now() / 1000)}`],
    ['forged token', 'A', forge(tokens.TO_FORGE), 'first signature character changed'],
    ['room-B token joining room A', 'A', tokens.ROOM_B, `token room claim: ${JSON.stringify(jwtPayload(tokens.ROOM_B).room)}`],
  ];
  for (const [what, room, token, note] of refusals) {
    const p = await openParticipant(`refused (${what})`, room, token);
    const state = await settledState(p, ['error', 'joined'], 15_000);
    const error = p.page.locator('#error');
    const visible = await error.isVisible();
    const text = (await error.textContent()) ?? '';
    const code = await error.getAttribute('data-code');
    check(`${what} is refused`, state === 'error' && visible && code === 'unauthorized' && text.startsWith('unauthorized'),
          `state=${state} #error visible=${visible} code=${code} text="${text}" (${note})`);
    await retire(p);
  }
  const afterRefusals = await view(a1);
  check('refused joins never appear in room A',
        sameSet(afterRefusals.participants.map((x) => x.id), [a2.id]) && sameSet(afterRefusals.tiles, [a2.id]),
        `A1 lists ${JSON.stringify(afterRefusals.participants)} tiles ${JSON.stringify(afterRefusals.tiles)}`);

} catch (e) {
  check('test ran to the end', false, e.stack ?? String(e));
}

// 5. Every page, including the ones that left or were refused.
for (const p of pages) await retire(p);

// 6. The server's own counters, logged as each participant leaves.
if (everyone.length > 0 && everyone.every((p) => p.id)) {
  for (const p of pages) await p.context.close().catch(() => {});
  const left = await pollUntil(async () => {
    const lines = serverLog ? await readFile(serverLog, 'utf8').catch(() => '') : '';
    const counters = new Map();
    for (const m of lines.matchAll(/left room (\S+): participant (\S+): published (\d+) RTP packets \(\d+ bytes\) received, (\d+) RTP packets \(\d+ bytes\) forwarded to it/g)) {
      counters.set(m[2], { room: m[1], published: Number(m[3]), forwarded: Number(m[4]) });
    }
    return { ok: everyone.every((p) => counters.has(p.id)), counters };
  }, 10_000, 200);
  check('the server logs every participant\'s RTP counters when it leaves', left.ok,
        `${left.counters.size} "left room" lines in ${serverLog || '(no AEGIS_SERVER_LOG)'} after ${left.elapsed} ms`);
  if (left.ok) {
    for (const [room, members] of Object.entries(rooms)) {
      for (const p of members) {
        const c = left.counters.get(p.id);
        const fromRoom = members.filter((q) => q !== p).reduce((n, q) => n + left.counters.get(q.id).published, 0);
        check(`server: ${p.label} was forwarded no more than room ${room}'s others published`,
              c.room === room && c.forwarded <= fromRoom && c.forwarded > 0,
              `forwarded ${c.forwarded} RTP packets; the others of room ${room} published ${fromRoom}; logged room ${c.room}`);
      }
    }
    const b1Got = left.counters.get(rooms.B[0].id).forwarded;
    const b2Sent = left.counters.get(rooms.B[1].id).published;
    check('server: B1 got most of what B2 published (the bound above is not met by nothing)',
          b1Got >= 0.5 * b2Sent, `B1 ${b1Got} of B2's ${b2Sent} RTP packets`);
  }
} else {
  check('server counters checked', false, 'the participants never joined');
}

await browser.close().catch(() => {});
clearTimeout(watchdog);
console.log(`group call: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);

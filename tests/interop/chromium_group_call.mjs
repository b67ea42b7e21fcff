#!/usr/bin/env node
// Group-call test: headless Chromium (Debian's /usr/bin/chromium, driven by
// playwright-core) runs the demo app (web/) served by `aegis serve`. Run
// inside a network namespace through group_call.sh, which starts the server
// and mints the tokens:
//   chromium_group_call.mjs BASE_URL     (e.g. http://127.0.0.1:18443)
// with tokens in the environment:
//   AEGIS_TOKEN_A1, AEGIS_TOKEN_A2, AEGIS_TOKEN_A3  room A
//   AEGIS_TOKEN_B1                                  room B
//   AEGIS_TOKEN_EXPIRED   room A, already expired
//   AEGIS_TOKEN_TO_FORGE  room A, valid: this test alters its signature
//   AEGIS_TOKEN_ROOM_B    room B, used to join room A
//
// One browser, one context per participant. Checks:
//   1. A1, A2, A3 (room A) and B1 (room B) join; within 20 s each A page
//      lists exactly the two others (SDK state and tiles);
//   2. over >= 5 s each A page keeps decoding video from both others and
//      keeps receiving their audio; meanwhile B1 lists nobody and receives
//      nothing;
//   3. A3 clicks Leave: within 2 s A1 and A2 no longer list it (the time is
//      printed), and A1 and A2 keep receiving each other;
//   4. an expired token, a forged token and a room-B token joining room A
//      each end in state 'error' with the error element showing
//      `unauthorized`, and nobody new appears in room A;
//   5. no CSP violation and no uncaught error on any page.
// Prints one line per check and `group call: N passed, N failed`; exits
// non-zero on any failure, including when playwright-core or Chromium
// cannot start (never skips).
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

const tokenNames = ['A1', 'A2', 'A3', 'B1', 'EXPIRED', 'TO_FORGE', 'ROOM_B'];
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
  // Runs before the app's own scripts, outside the page's CSP.
  await context.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`);
    });
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
const sameSet = (a, b) => a.length === b.length && [...a].sort().join() === [...b].sort().join();

// The others' counters as seen by `p`, for printing.
function figures(stats, id) {
  const s = stats[id] ?? {};
  return `frames ${s.videoFramesDecoded ?? 0}, audio packets ${s.audioPacketsReceived ?? 0} ` +
         `bytes ${s.audioBytesReceived ?? 0} samples ${s.audioSamplesReceived ?? 0}`;
}

try {
  // 1. Join: three in room A, one in room B.
  const joinStart = Date.now();
  const [a1, a2, a3, b1] = await Promise.all([
    openParticipant('A1', 'A', tokens.A1), openParticipant('A2', 'A', tokens.A2),
    openParticipant('A3', 'A', tokens.A3), openParticipant('B1', 'B', tokens.B1),
  ]);
  const roomA = [a1, a2, a3];
  for (const p of [a1, a2, a3, b1]) {
    const state = await settledState(p, ['joined', 'error'], 15_000);
    const error = await p.page.locator('#error').textContent();
    check(`${p.label} joins`, state === 'joined', `state=${state}${state === 'error' ? ` error="${error}"` : ''}`);
    p.id = await p.page.evaluate(() => window.aegisApp.selfId());
  }
  console.log(`group call: participant ids ${[a1, a2, a3, b1].map((p) => `${p.label}=${p.id}`).join(' ')}`);

  const seen = await pollUntil(async () => {
    const views = await Promise.all(roomA.map(view));
    const ok = views.every((v, i) => {
      const others = roomA.filter((_, j) => j !== i).map((p) => p.id);
      return sameSet(v.participants.map((x) => x.id), others) && sameSet(v.tiles, others);
    });
    return { ok, views };
  }, kSeeOthersMs - (Date.now() - joinStart));
  roomA.forEach((p, i) => {
    const v = seen.views[i];
    const others = roomA.filter((q) => q !== p);
    const ok = sameSet(v.participants.map((x) => x.id), others.map((q) => q.id)) &&
               sameSet(v.tiles, others.map((q) => q.id));
    check(`${p.label} sees ${others.map((q) => q.label).join(' and ')} within ${kSeeOthersMs / 1000} s`, ok,
          `after ${Date.now() - joinStart} ms: participants ${JSON.stringify(v.participants)} tiles ${JSON.stringify(v.tiles)}`);
  });

  // 2. Media. First wait until every stream has started, then measure.
  const pairs = roomA.flatMap((p) => roomA.filter((q) => q !== p).map((q) => [p, q]));
  const started = await pollUntil(async () => {
    const stats = await Promise.all(roomA.map(remoteStats));
    const ok = pairs.every(([p, q]) => {
      const s = stats[roomA.indexOf(p)][q.id];
      return s?.videoFramesDecoded > 0 && s?.audioPacketsReceived > 0;
    });
    return { ok, stats };
  }, kMediaStartMs, 250);
  console.log(`group call: media ${started.ok ? 'flowing' : 'NOT flowing'} after ${started.elapsed} ms of waiting`);
  if (!started.ok) {
    for (const p of roomA) {
      const error = await p.page.locator('#error').textContent();
      console.log(`  ${p.label}: state=${await p.page.evaluate(() => window.aegisApp.state())} error="${error}" ` +
                  `stats ${JSON.stringify(started.stats[roomA.indexOf(p)])}`);
    }
  }

  const first = await Promise.all([...roomA, b1].map(remoteStats));
  const firstAt = Date.now();
  const firstB1View = await view(b1);
  await sleep(kSampleMs + 250);
  const second = await Promise.all([...roomA, b1].map(remoteStats));
  const windowMs = Date.now() - firstAt;
  for (const [p, q] of pairs) {
    const i = roomA.indexOf(p);
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
  const b1View = await view(b1);
  const total = (stats, key) => Object.values(stats).reduce((n, s) => n + (s[key] ?? 0), 0);
  const b1Stats = second[3];
  check('B1 (room B) sees nobody while room A is busy',
        b1View.state === 'joined' && firstB1View.participants.length === 0 && b1View.participants.length === 0 &&
        b1View.tiles.length === 0,
        `state=${b1View.state} participants ${JSON.stringify(b1View.participants)} tiles ${JSON.stringify(b1View.tiles)}`);
  check('B1 (room B) receives no media', total(b1Stats, 'videoFramesDecoded') === 0 && total(b1Stats, 'packetsReceived') === 0,
        `frames decoded ${total(b1Stats, 'videoFramesDecoded')}, packets ${total(b1Stats, 'packetsReceived')} ` +
        `${JSON.stringify(b1Stats)}`);

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
  }
  const afterRefusals = await view(a1);
  check('refused joins never appear in room A',
        sameSet(afterRefusals.participants.map((x) => x.id), [a2.id]) && sameSet(afterRefusals.tiles, [a2.id]),
        `A1 lists ${JSON.stringify(afterRefusals.participants)} tiles ${JSON.stringify(afterRefusals.tiles)}`);
} catch (e) {
  check('test ran to the end', false, e.stack ?? String(e));
}

// 5. Every page, including the ones that left or were refused.
for (const p of pages) {
  const csp = await p.page.evaluate(() => window.__cspViolations).catch((e) => [`cannot read: ${e.message}`]);
  check(`${p.label}: no CSP violation, no page error`, csp.length === 0 && p.errors.length === 0,
        `csp ${JSON.stringify(csp)} errors ${JSON.stringify(p.errors)}`);
}

await browser.close().catch(() => {});
clearTimeout(watchdog);
console.log(`group call: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);

#!/usr/bin/env node
// End-to-end encryption test (E2EE v2: MLS group keys, docs/e2ee.md):
// headless Chromium (playwright-core) runs the test-only page
// (web_e2ee/e2ee_test.html, the real SDK with testHooks) and the app against
// two aegis-test-server instances started by e2ee_call.sh:
//   chromium_e2ee.mjs BASE_URL_1 BASE_URL_2
// Environment (from e2ee_call.sh):
//   AEGIS_TOKEN_E1..E4, AEGIS_TOKEN_PLAIN, AEGIS_TOKEN_PLAIN_PAGE  room E on server 1
//   AEGIS_TOKEN_S1..S3                                           room S on server 2
//   AEGIS_E2EE_CAPTURE   server 1's --test-capture file (JSON lines: "rtp" with ms,
//                        publisher, kind, ssrc, seq, ts, marker and the whole payload
//                        in hex; "mls" with type, from, to and the relayed bytes in hex
//                        for every MLS message relayed; "removed" for every participant removed)
//   AEGIS_E2EE_SERVER_LOGS  the servers' log files, colon-separated (searched for chat text)
//   AEGIS_SFRAME_CLI     aegis-sframe (decrypt --suite 4 --key HEX --metadata HEX --frame HEX)
//   AEGIS_E2EE_WITHOUT_TEST_SERVER=1  servers without test hooks: those checks FAIL as not run
//
// Checks (one line each, with figures):
//   1. E1, E2, E3 join room E (E2 without RTCRtpScriptTransform, so it runs
//      the SDK's createEncodedStreams fallback); after each join every member
//      is at the same epoch with the same 30-digit room code and the same
//      frame base key, and the roster lists exactly the members in the call;
//   2. over >= 5 s each keeps decoding the others' video and decrypting their
//      audio, no decrypt failure, every track under the current epoch; all
//      three report "encrypted";
//   3. server capture: every captured frame of every sender is an RFC 9605
//      SFrame whose KID names the sender's leaf and a live epoch; 100 % of
//      them decrypt with the epoch's base key (metadata = the media kind, so
//      not as the other kind), none under a random base key; no clear VP8
//      start code; aegis-sframe (C++) agrees on one audio frame per sender;
//   4. chat: E1's message reaches E2 and E3; the server relayed it as an
//      mls_app whose bytes do not contain the text, and neither the capture
//      nor the server logs hold the text;
//   5. E3 leaves: E1 and E2 reach a new epoch with a new, equal room code
//      within 1 s; the capture shows their first frame under the new epoch
//      within 1 s + 250 ms of E3's last packet; every base key E3 held opens
//      none of E1's and E2's frames after the switch, which all open under the
//      new epoch's key; nothing MLS was relayed to E3 after its removal;
//   6. the app with e2ee=0 (and the test page without E2EE) is refused from
//      room E with e2ee_required, shown in #error;
//   7. the app (E4) with E2EE shows the room code E1 and E2 show (with an
//      aria-label), the roster, a lock that turns "encrypted"; its Verify
//      dialog shows the pairwise code E1 computes for E4; marked verified, it
//      stays verified when the page is loaded again (the identity key is kept
//      in IndexedDB: E1's pairwise code with E4 is unchanged), its chat
//      reaches E1; E1 then joining from a fresh browser profile (a new key)
//      makes E4 show the loud "key changed" warning;
//   8. server 2 substitutes S2's KeyPackage (announces one the test made for
//      identity s2 with other keys): S1 and S3 end in a group whose "S2" is
//      the substitute, so the real S2 never gets in (no room code, not
//      encrypted), and the pairwise code S1 sees for S2 differs from the one
//      S1's and S2's real keys give;
//   9. no CSP violation and no uncaught error on any page.
// Prints `e2ee: N passed, N failed`; exits non-zero on any failure,
// including when Chromium, playwright-core or a server tool is missing.
import { createRequire } from 'node:module';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { webcrypto } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

globalThis.crypto ??= webcrypto;
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const { decodeHeader, SframeReceiver } = await import(path.join(repoRoot, 'web/sdk/sframe.js'));
const { laneOfCtr } = await import(path.join(repoRoot, 'web/sdk/e2ee_frames.js'));
const { parseFrameKid, epochBitsOf, pairwiseCode } = await import(path.join(repoRoot, 'web/sdk/e2ee_mls_keys.js'));
const { encodeCredential } = await import(path.join(repoRoot, 'web/sdk/e2ee_mls.js'));

const [base1, base2] = process.argv.slice(2).map((u) => (u ?? '').replace(/\/+$/, ''));
const executablePath = process.env.AEGIS_CHROMIUM || '/usr/bin/chromium';
const capturePath = process.env.AEGIS_E2EE_CAPTURE ?? '';
const serverLogs = (process.env.AEGIS_E2EE_SERVER_LOGS ?? '').split(':').filter(Boolean);
const sframeCli = process.env.AEGIS_SFRAME_CLI ?? '';
const withoutTestServer = process.env.AEGIS_E2EE_WITHOUT_TEST_SERVER === '1';
const chromiumFlags = [
  '--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream',
  '--allow-loopback-in-peer-connection', '--autoplay-policy=no-user-gesture-required',
];
const kJoinMs = 20_000;
const kGroupMs = 10_000;       // bound on a joiner being in the group at the others' epoch
const kMediaStartMs = 25_000;
const kSampleMs = 5_000;
const kMinFrames = 20;          // ~15 fps sent: a stalled stream stays far below
const kMinAudioFrames = 100;    // Opus sends 50 frames/s
const kCodeSwitchMs = 1000;     // docs/e2ee.md: a new equal room code within 1 s of a leave
const kSwitchLimitMs = 1000 + 250;  // the capture's view: < 1 s, plus margin for its timing
const kMetadata = { audio: new TextEncoder().encode('audio'), video: new TextEncoder().encode('video') };

const fail = (message) => {
  console.error(`FAIL: ${message}`);
  console.log('e2ee: 0 passed, 1 failed');
  process.exit(1);
};
const tokenNames = ['E1', 'E2', 'E3', 'E4', 'PLAIN', 'PLAIN_PAGE', 'S1', 'S2', 'S3'];
const tokens = Object.fromEntries(tokenNames.map((n) => [n, process.env[`AEGIS_TOKEN_${n}`] ?? '']));
if (!/^https?:\/\/[^/]+$/.test(base1) || !/^https?:\/\/[^/]+$/.test(base2)) {
  fail(`usage: chromium_e2ee.mjs BASE_URL_1 BASE_URL_2 (got '${base1}' '${base2}')`);
}
for (const n of tokenNames) if (tokens[n].split('.').length !== 3) fail(`AEGIS_TOKEN_${n} is missing or not a JWT`);

let chromium;
try {
  ({ chromium } = createRequire(path.join(repoRoot, 'package.json'))('playwright-core'));
} catch (e) {
  fail(`cannot load playwright-core from ${repoRoot}/node_modules (run scripts/setup.sh): ${e.message}`);
}
for (const base of [base1, base2]) {
  const response = await fetch(`${base}/e2ee_test.html`).catch((e) => fail(`GET ${base}/e2ee_test.html: ${e.message}`));
  if (response.status !== 200) fail(`GET ${base}/e2ee_test.html gave ${response.status} (does e2ee_call.sh serve the test page?)`);
}

const watchdog = setTimeout(() => fail('the whole test took over 300 s'), 300_000);
let passed = 0;
let failed = 0;
function check(name, ok, detail) {
  if (ok) ++passed;
  else ++failed;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}: ${detail}`);
}
// A check that needs the test server, in a run without it.
function notRun(name, why) {
  check(name, false, `NOT RUN: ${why}`);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const hex = (bytes) => Buffer.from(bytes).toString('hex');
const fromHex = (s) => Uint8Array.from(Buffer.from(s, 'hex'));
const randomHex = (n) => hex(crypto.getRandomValues(new Uint8Array(n)));
const kidHex = (kid) => (kid === null || kid === undefined ? 'null' : `0x${BigInt(kid).toString(16)}`);

async function pollUntil(probe, ms, everyMs = 200) {
  const start = Date.now();
  for (;;) {
    const value = await probe();
    const elapsed = Date.now() - start;
    if (value?.ok || elapsed >= ms) return { ...value, elapsed };
    await sleep(everyMs);
  }
}

// ------------------------------------------------------------ browser

let browser;
try {
  browser = await chromium.launch({ executablePath, headless: true, args: chromiumFlags, timeout: 30_000 });
} catch (e) {
  fail(`cannot start Chromium at ${executablePath}: ${e.message}`);
}
console.log(`e2ee: chromium ${browser.version()}; servers ${base1} (policy + capture) and ${base2} (KeyPackage substitution)`);

const pages = [];
async function openPage(label, url, { legacyTransforms = false } = {}) {
  const context = await browser.newContext({ permissions: ['camera', 'microphone'] });
  await context.addInitScript((legacy) => {
    window.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`);
    });
    // Hides the standard API: the SDK then takes its createEncodedStreams path.
    if (legacy) delete window.RTCRtpScriptTransform;
  }, legacyTransforms);
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
  await page.goto(url, { timeout: 15_000 });
  return entry;
}

// The test page as participant `label`.
async function openTestPage(label, base, room, token, e2ee = true, options = {}) {
  const query = new URLSearchParams({ room, token, e2ee: e2ee ? '1' : '0' });
  const p = await openPage(label, `${base}/e2ee_test.html?${query}`, options);
  await p.page.waitForFunction(() => typeof window.e2eeTest === 'object', null, { timeout: 10_000 });
  return p;
}

const T = {
  state: (p) => p.page.evaluate(() => window.e2eeTest.state()),
  participants: (p) => p.page.evaluate(() => window.e2eeTest.participants()),
  roomCode: (p) => p.page.evaluate(() => window.e2eeTest.roomCode()),
  epoch: (p) => p.page.evaluate(() => window.e2eeTest.epoch()),
  roster: (p) => p.page.evaluate(() => window.e2eeTest.roster()),
  pairwise: (p, id) => p.page.evaluate((x) => window.e2eeTest.pairwiseCode(x), id),
  chat: (p, text) => p.page.evaluate((t) => window.e2eeTest.sendChat(t), text),
  status: (p) => p.page.evaluate(() => window.e2eeTest.status()),
  counters: (p) => p.page.evaluate(() => window.e2eeTest.counters()),
  stats: (p) => p.page.evaluate(() => window.e2eeTest.stats()),
  keys: (p) => p.page.evaluate(() => window.e2eeTest.exportKeys()),
};

async function waitPhase(p, phases, ms) {
  await p.page.waitForFunction((w) => w.includes(window.e2eeTest.state().phase), phases, { timeout: ms }).catch(() => {});
  return T.state(p);
}

// Joins one test page and waits until it publishes.
async function joinAndPublish(label, base, room, token, options = {}) {
  const p = await openTestPage(label, base, room, token, true, options);
  const s = await waitPhase(p, ['publishing', 'error'], kJoinMs);
  p.id = s.selfId;
  check(`${label} joins room ${room} with E2EE and publishes`,
        s.phase === 'publishing' && s.transformApi === (options.legacyTransforms ? 'createEncodedStreams' : 'RTCRtpScriptTransform'),
        `phase=${s.phase} id=${s.selfId} transforms: ${s.transformApi}${s.error ? ` error=${JSON.stringify(s.error)}` : ''}`);
  return p;
}

// ------------------------------------------------------------ capture

function readCapture() {
  if (!capturePath || !existsSync(capturePath)) return { packets: [], bad: 0, missing: true };
  const packets = [];
  const mls = [];
  const removed = [];
  let bad = 0;
  let truncated = false;
  for (const line of readFileSync(capturePath, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      const r = JSON.parse(line);
      if (r.event === 'rtp') {
        if (typeof r.payload !== 'string' || typeof r.publisher !== 'string') throw new Error('fields');
        packets.push({ ms: r.ms, publisher: r.publisher, kind: r.kind, ssrc: r.ssrc, seq: r.seq, ts: r.ts,
                       marker: r.marker, payload: Buffer.from(r.payload, 'hex') });
      } else if (r.event === 'mls') {
        if (typeof r.bytes !== 'string' || typeof r.type !== 'string') throw new Error('fields');
        mls.push(r);
      } else if (r.event === 'removed') {
        removed.push(r);
      } else if (r.event === 'truncated') {
        truncated = true;
      } else {
        throw new Error('event');
      }
    } catch {
      bad++;  // the last line may be half written
    }
  }
  return { packets, mls, removed, bad, truncated, missing: false };
}

// RFC 7741 §4.2: the VP8 payload descriptor. Returns { start (S = 1 and
// partition 0: the packet starts a frame), body (the bytes after it) }, or
// null when the descriptor runs past the payload.
function vp8Descriptor(payload) {
  if (payload.length < 1) return null;
  const b0 = payload[0];
  let at = 1;
  if (b0 & 0x80) {
    if (payload.length < 2) return null;
    const x = payload[at++];
    if (x & 0x80) at += (payload[at] & 0x80) ? 2 : 1;  // PictureID, 7 or 15 bits
    if (x & 0x40) at += 1;                           // TL0PICIDX
    if (x & 0x30) at += 1;                           // TID/Y/KEYIDX
  }
  if (at > payload.length) return null;
  return { start: (b0 & 0x10) !== 0 && (b0 & 0x07) === 0, body: payload.subarray(at) };
}

// The SFrame header at the start of a frame: { kid (bigint), ctr, lane,
// leaf, epochBits, context } or null.
function sframeOf(frame) {
  try {
    const h = decodeHeader(frame);
    return { kid: h.kid, ctr: h.ctr, lane: laneOfCtr(h.ctr), headerLength: h.headerLength, ...parseFrameKid(h.kid) };
  } catch {
    return null;
  }
}

// Every frame `publisher` sent, in capture order: each audio packet is a
// frame; video frames are reassembled from the packets of one RTP
// timestamp (sorted by sequence number, descriptors stripped). A video
// frame is complete when its first packet starts a frame, its last has the
// marker bit and no sequence number is missing; the last frame of each
// stream may still be arriving when the capture is read.
// Returns [{ ms, kind, ssrc, frame, sframe, complete, packets, isLastOfStream }].
function framesOf(packets, publisher) {
  const out = [];
  const open = new Map();  // `${ssrc}:${ts}` -> frame under construction
  for (const p of packets) {
    if (p.publisher !== publisher) continue;
    if (p.kind === 'audio') {
      out.push({ ms: p.ms, kind: 'audio', ssrc: p.ssrc, frame: p.payload, sframe: sframeOf(p.payload), complete: true, packets: 1 });
      continue;
    }
    const key = `${p.ssrc}:${p.ts}`;
    let f = open.get(key);
    if (!f) {
      f = { ms: p.ms, kind: 'video', ssrc: p.ssrc, ts: p.ts, parts: [] };
      open.set(key, f);
      out.push(f);
    }
    f.parts.push(p);
    f.ms = p.ms;
  }
  const lastOfStream = new Map();
  for (const f of out) {
    if (f.kind !== 'video') continue;
    lastOfStream.set(f.ssrc, f);
    const base = f.parts[0].seq;
    const rel = (seq) => (seq - base + 0x8000 + 0x10000) % 0x10000 - 0x8000;  // wrap-safe order
    f.parts.sort((a, b) => rel(a.seq) - rel(b.seq));
    const descriptors = f.parts.map((x) => vp8Descriptor(x.payload));
    const contiguous = f.parts.every((x, i) => i === 0 || rel(x.seq) === rel(f.parts[i - 1].seq) + 1);
    f.complete = descriptors.every(Boolean) && descriptors[0].start && f.parts.at(-1).marker && contiguous;
    f.frame = descriptors.every(Boolean) ? Buffer.concat(descriptors.map((d) => d.body)) : Buffer.alloc(0);
    f.sframe = f.complete ? sframeOf(f.frame) : null;
    f.packets = f.parts.length;
    delete f.parts;
  }
  for (const f of lastOfStream.values()) f.isLastOfStream = true;
  return out;
}


// Decrypts frames with web/sdk/sframe.js under (KID, base key), with the
// frame's media kind as metadata: one receiver per (kind, KID, CTR lane) and
// key, so each track's frames meet a replay window in their own order.
// `keyFor(frame)` gives the base key (hex) to try, or undefined.
async function decryptFrames(frames, keyFor, metadataKind = (f) => f.kind) {
  const receivers = new Map();
  const results = [];
  for (const f of frames) {
    const keyHex = keyFor(f);
    if (!f.sframe || !keyHex) {
      results.push({ f, ok: false, why: f.sframe ? 'no key for its epoch' : 'no SFrame header' });
      continue;
    }
    const id = `${f.kind}:${f.sframe.kid}:${f.sframe.lane}:${keyHex}`;
    let receiver = receivers.get(id);
    if (!receiver) {
      receiver = new SframeReceiver(4);
      await receiver.addKey(f.sframe.kid, fromHex(keyHex));
      receivers.set(id, receiver);
    }
    try {
      const plaintext = await receiver.decrypt(f.frame, kMetadata[metadataKind(f)]);
      results.push({ f, ok: true, plaintext });
    } catch (e) {
      results.push({ f, ok: false, why: e.code ?? e.message });
    }
  }
  return results;
}

const tally = (items, keyOf) => items.reduce((acc, x) => ({ ...acc, [keyOf(x)]: (acc[keyOf(x)] ?? 0) + 1 }), {});

// aegis-sframe decrypt: { ok, status, stdout, stderr }.
function cliDecrypt(keyHex, frame, kind) {
  if (!sframeCli || !existsSync(sframeCli)) return { ok: false, status: null, stdout: '', stderr: `no aegis-sframe at '${sframeCli}'`, missing: true };
  const r = spawnSync(sframeCli, ['decrypt', '--suite', '4', '--key', keyHex, '--metadata', hex(kMetadata[kind]), '--frame', hex(frame)],
                      { encoding: 'utf8', timeout: 10_000 });
  return { ok: r.status === 0, status: r.status, stdout: (r.stdout ?? '').trim(), stderr: (r.stderr ?? '').trim(), error: r.error?.message };
}

// The largest of the last 100 captured audio frames under `epoch` (Opus
// sends 3-byte frames in silence; a real one makes the better test).
function audioFrameIn(frames, epoch) {
  return frames.filter((f) => f.kind === 'audio' && f.sframe?.epochBits === epochBitsOf(epoch)).slice(-100)
    .reduce((best, f) => (!best || f.frame.length > best.frame.length ? f : best), undefined);
}

// ------------------------------------------------------------ group state

// Every base key seen, by epoch: { epoch -> base key hex }; two members that
// export different keys for one epoch are in different groups (a check fails).
const baseKeys = new Map();
const keyConflicts = [];
function rememberKeys(label, k) {
  if (k?.epoch === null || k?.epoch === undefined || !k.baseKey) return;
  const known = baseKeys.get(k.epoch);
  if (known && known !== k.baseKey) keyConflicts.push(`${label} epoch ${k.epoch}`);
  if (!known) baseKeys.set(k.epoch, k.baseKey);
}

// Until every member of `group` is in the group at one epoch (at least
// `minEpoch`) with one room code and one base key, and each one's roster
// lists exactly the group's identities. Returns { ok, epoch, code, keys }.
async function converged(group, label, minEpoch = 0) {
  const r = await pollUntil(async () => {
    const keys = await Promise.all(group.map(T.keys));
    const codes = await Promise.all(group.map(T.roomCode));
    const rosters = await Promise.all(group.map(T.roster));
    keys.forEach((k, i) => rememberKeys(group[i].label, k));
    const epoch = keys[0]?.epoch;
    const want = group.map((p) => p.identity).sort().join(',');
    const ok = epoch !== null && epoch >= minEpoch && keys.every((k) => k.epoch === epoch && k.baseKey === keys[0].baseKey) &&
      codes.every((c) => c && c === codes[0]) &&
      rosters.every((x) => x.members.map((m) => m.identity).sort().join(',') === want && x.unencrypted.length === 0);
    return { ok, epoch, code: codes[0], codes, keys, rosters };
  }, kGroupMs, 100);
  check(`${label}: every member is at one epoch with one room code, base key and roster`, r.ok,
        `after ${r.elapsed} ms: ${group.map((p, i) => `${p.label} epoch ${r.keys[i]?.epoch} leaf ${r.keys[i]?.leaf} ` +
        `code "${r.codes[i]}" roster [${r.rosters[i]?.members.map((m) => m.identity).join(',')}]`).join('; ')}`);
  return r;
}

// ------------------------------------------------------------ the test

const statsDelta = (a, b, id) => {
  const x = a.e2ee[id] ?? {};
  const y = b.e2ee[id] ?? {};
  const track = (s, kind) => (s.tracks ?? []).filter((t) => t.kind === kind);
  const sum = (s, kind, field) => track(s, kind).reduce((n, t) => n + (t[field] ?? 0), 0);
  const rv0 = a.remote[id] ?? {};
  const rv1 = b.remote[id] ?? {};
  return {
    frames: (rv1.videoFramesDecoded ?? 0) - (rv0.videoFramesDecoded ?? 0),
    audioPackets: (rv1.audioPacketsReceived ?? 0) - (rv0.audioPacketsReceived ?? 0),
    audioSamples: (rv1.audioSamplesReceived ?? 0) - (rv0.audioSamplesReceived ?? 0),
    decrypted: (y.decryptedFrames ?? 0) - (x.decryptedFrames ?? 0),
    videoTracks: track(y, 'video').length,
    audioTracks: track(y, 'audio').length,
    failed: (y.failedFrames ?? 0) - (x.failedFrames ?? 0),
    epochs: (y.tracks ?? []).map((t) => `${t.kind}:${t.lastEpoch}`).join(' '),
    lastEpochs: (y.tracks ?? []).map((t) => t.lastEpoch),
  };
};

// Every pair (p receives q): decoding, decrypting, no failures, current epoch.
async function sampleMedia(group, label, epoch) {
  const first = await Promise.all(group.map(T.stats));
  const startedAt = Date.now();
  await sleep(kSampleMs + 250);
  const second = await Promise.all(group.map(T.stats));
  const windowMs = Date.now() - startedAt;
  for (const [i, p] of group.entries()) {
    for (const q of group) {
      if (q === p) continue;
      const d = statsDelta(first[i], second[i], q.id);
      check(`${label}: ${p.label} keeps decoding and decrypting ${q.label}`,
            windowMs >= kSampleMs && d.frames >= kMinFrames && d.decrypted >= kMinFrames + kMinAudioFrames &&
            d.audioPackets >= kMinAudioFrames / 2 && d.audioSamples > 0 && d.failed === 0 &&
            d.lastEpochs.length >= 2 && d.lastEpochs.every((e) => e === epoch),
            `over ${windowMs} ms: +${d.frames} video frames decoded, +${d.decrypted} frames decrypted, ` +
            `+${d.audioPackets} audio packets, +${d.audioSamples} samples, +${d.failed} failed; ` +
            `last epoch per track ${d.epochs} (current ${epoch})`);
    }
    const own = second[i].e2ee[p.id] ?? {};
    const ownBefore = first[i].e2ee[p.id] ?? {};
    check(`${label}: ${p.label} encrypts what it sends`, own.encryptedFrames - ownBefore.encryptedFrames > kMinAudioFrames &&
          own.failedFrames === ownBefore.failedFrames,
          `+${own.encryptedFrames - ownBefore.encryptedFrames} frames encrypted, +${own.failedFrames - ownBefore.failedFrames} failed`);
  }
}

// The frames of `p` in the capture and what they show.
function checkCapturedFrames(capture, p, leaf) {
  const frames = framesOf(capture.packets, p.id);
  const audio = frames.filter((f) => f.kind === 'audio');
  const video = frames.filter((f) => f.kind === 'video' && (f.complete || !f.isLastOfStream));
  const incomplete = video.filter((f) => !f.complete);
  const whole = [...audio, ...video.filter((f) => f.complete)];
  const ownLeaf = whole.filter((f) => f.sframe && f.sframe.leaf === leaf);
  const laneOk = video.filter((f) => f.sframe && ((f.frame[0] & 1) === 0) === (f.sframe.lane === 'key'));
  const keyframes = video.filter((f) => f.sframe?.lane === 'key').length;
  // A VP8 keyframe in the clear has the start code 9d 01 2a at bytes 3-5.
  const startCodes = video.filter((f) => f.frame.length >= 6 && f.frame[3] === 0x9d && f.frame[4] === 0x01 && f.frame[5] === 0x2a);
  check(`capture: ${p.label}'s frames are SFrame frames under its own leaf`,
        audio.length > 0 && video.length > 0 && incomplete.length === 0 && ownLeaf.length === whole.length &&
        laneOk.length === video.length && startCodes.length === 0,
        `${ownLeaf.length}/${whole.length} frames (${audio.length} audio, ${video.length} video reassembled from ` +
        `${video.reduce((n, f) => n + f.packets, 0)} packets, ${incomplete.length} incomplete) carry leaf ${leaf} in their KID; ` +
        `${keyframes} keyframes in the keyframe CTR lane, VP8 P bit matches the lane in ${laneOk.length}/${video.length}; ` +
        `${startCodes.length} clear VP8 start codes`);
  return { frames, whole };
}

// The base key for a frame's epoch bits: the newest epoch seen with those bits.
function baseKeyForFrame(f) {
  if (!f.sframe) return undefined;
  const epochs = [...baseKeys.keys()].filter((e) => epochBitsOf(e) === f.sframe.epochBits).sort((a, b) => b - a);
  return epochs.length ? baseKeys.get(epochs[0]) : undefined;
}

try {
  // ---------------------------------------------------------- 1. joins, one at a time
  const e1 = await joinAndPublish('E1', base1, 'E', tokens.E1);
  e1.identity = 'e1';
  const c1 = await converged([e1], 'E1 alone (creates the group)');
  const e2 = await joinAndPublish('E2', base1, 'E', tokens.E2, { legacyTransforms: true });
  e2.identity = 'e2';
  const c2 = await converged([e1, e2], 'E2 joined', c1.epoch + 1);
  const e3 = await joinAndPublish('E3', base1, 'E', tokens.E3);
  e3.identity = 'e3';
  const c3 = await converged([e1, e2, e3], 'E3 joined', c2.epoch + 1);
  const group = [e1, e2, e3];
  const byId = new Map(group.map((p) => [p.id, p]));
  const leafOf = new Map(group.map((p, i) => [p.id, c3.keys[i].leaf]));
  console.log(`e2ee: ids ${group.map((p) => `${p.label}=${p.id} (leaf ${leafOf.get(p.id)})`).join(' ')}`);
  check('the room code is 30 digits in six groups of five and changes with every epoch',
        /^(\d{5} ){5}\d{5}$/.test(c3.code ?? '') && new Set([c1.code, c2.code, c3.code]).size === 3,
        `epoch ${c1.epoch} "${c1.code}", ${c2.epoch} "${c2.code}", ${c3.epoch} "${c3.code}"`);
  check('a joiner holds no base key of the epochs before it joined',
        c2.keys[1].baseKey !== baseKeys.get(c1.epoch) && c3.keys[2].baseKey !== baseKeys.get(c2.epoch) && keyConflicts.length === 0,
        `epochs ${[...baseKeys.keys()].join(', ')} have ${new Set(baseKeys.values()).size} distinct base keys; conflicts: ${keyConflicts.join('; ') || 'none'}`);

  // ---------------------------------------------------------- 2. media, status
  const started = await pollUntil(async () => {
    const stats = await Promise.all(group.map(T.stats));
    const ok = group.every((p, i) => group.every((q) => q === p || (
      (stats[i].remote[q.id]?.videoFramesDecoded ?? 0) > 0 && (stats[i].e2ee[q.id]?.decryptedFrames ?? 0) > 0)));
    return { ok, stats };
  }, kMediaStartMs, 250);
  console.log(`e2ee: media ${started.ok ? 'decrypting' : 'NOT decrypting'} after ${started.elapsed} ms of waiting`);
  if (!started.ok) console.log(`  stats ${JSON.stringify(started.stats)}`);
  await sampleMedia(group, 'three in E', c3.epoch);
  const statuses = await pollUntil(async () => {
    const all = await Promise.all(group.map(T.status));
    return { ok: all.every((s) => s?.encrypted), all };
  }, 3_000);
  group.forEach((p, i) => check(`${p.label} reports encrypted`, statuses.all[i]?.encrypted === true, JSON.stringify(statuses.all[i])));

  // ---------------------------------------------------------- 3. server capture
  const capture = readCapture();
  if (withoutTestServer || capture.missing) {
    notRun('capture: frames are SFrame frames the server cannot open', withoutTestServer ? 'no test server' : `no capture file at '${capturePath}'`);
  } else {
    console.log(`e2ee: capture has ${capture.packets.length} RTP packets, ${capture.mls.length} MLS relays ` +
                `(${capture.bad} unreadable lines${capture.truncated ? ', TRUNCATED' : ''})`);
    check('the capture is whole (not cut at its size bound)', !capture.truncated && capture.packets.length > 0,
          `${capture.packets.length} packets, truncated: ${capture.truncated}`);
    for (const p of group) {
      const { frames, whole } = checkCapturedFrames(capture, p, leafOf.get(p.id));
      // Frames sent before the sender was in the group cannot exist (nothing leaves unencrypted).
      const right = await decryptFrames(whole, baseKeyForFrame);
      const opened = right.filter((r) => r.ok);
      const asOtherKind = await decryptFrames(whole, baseKeyForFrame, (f) => (f.kind === 'audio' ? 'video' : 'audio'));
      const randomKey = randomHex(16);
      const wrong = await decryptFrames(whole, () => randomKey);
      check(`capture: every frame of ${p.label} opens with its epoch's base key, none as the other kind or under another key`,
            whole.length > 0 && opened.length === whole.length && asOtherKind.every((r) => !r.ok) && wrong.every((r) => !r.ok),
            `${opened.length}/${whole.length} decrypted; failures ${JSON.stringify(tally(right.filter((r) => !r.ok), (r) => `${r.f.kind} ${r.why}`))}; ` +
            `as the other kind ${asOtherKind.filter((r) => r.ok).length} opened, under a random base key ${wrong.filter((r) => r.ok).length}`);
      const f = audioFrameIn(frames, c3.epoch);
      const key = baseKeys.get(c3.epoch);
      if (!f) {
        check(`aegis-sframe decrypts ${p.label}'s captured audio with the epoch's base key`, false, 'no captured audio frame in the current epoch');
        continue;
      }
      const good = cliDecrypt(key, f.frame, 'audio');
      const expectLen = f.frame.length - f.sframe.headerLength - 16;
      const bad = [cliDecrypt(randomHex(16), f.frame, 'audio'), cliDecrypt(key, f.frame, 'video')];
      check(`aegis-sframe decrypts ${p.label}'s captured audio with the epoch's base key, and refuses a wrong key or kind`,
            good.ok && good.stdout.length === expectLen * 2 && bad.every((r) => r.status === 1),
            `frame ${f.frame.length} B, KID ${kidHex(f.sframe.kid)}: exit ${good.status}, ${good.stdout.length / 2} B plaintext ` +
            `(want ${expectLen})${good.ok ? '' : ` stderr "${good.stderr}"`}; random key exit ${bad[0].status}, as video exit ${bad[1].status}`);
    }
  }

  // ---------------------------------------------------------- 4. chat
  const marker = `chat-${randomHex(8)}`;
  await T.chat(e1, `hello from E1 ${marker}`);
  const chatGot = await pollUntil(async () => {
    const states = await Promise.all([e2, e3].map(T.state));
    const got = states.map((s) => s.chat.find((m) => m.text.includes(marker)));
    return { ok: got.every((m) => m && m.from === e1.id && m.identity === 'e1'), got };
  }, 5_000, 100);
  check('E1\'s chat message reaches E2 and E3, attributed to E1', chatGot.ok,
        `after ${chatGot.elapsed} ms: ${JSON.stringify(chatGot.got)}`);
  if (withoutTestServer) {
    notRun('the server relays chat only as ciphertext', 'no test server');
  } else {
    const markerHex = hex(new TextEncoder().encode(marker));
    const apps = readCapture().mls.filter((m) => m.type === 'mls_app' && m.from === e1.id);
    const captureText = capturePath && existsSync(capturePath) ? readFileSync(capturePath, 'utf8') : '';
    const logs = serverLogs.map((f) => (existsSync(f) ? readFileSync(f, 'utf8') : ''));
    check('the server relayed the chat as mls_app ciphertext: the text is in no relayed message, capture or server log',
          apps.length >= 2 && apps.every((m) => !m.bytes.includes(markerHex)) && !captureText.includes(marker) &&
          !captureText.includes(markerHex) && logs.length > 0 && logs.every((l) => !l.includes(marker)),
          `${apps.length} mls_app relays from E1 (${apps.map((m) => `${m.bytes.length / 2} B to ${byId.get(m.to)?.label ?? m.to}`).join(', ')}); ` +
          `text found in capture: ${captureText.includes(marker) || captureText.includes(markerHex)}; in ${logs.length} server logs: ` +
          `${logs.some((l) => l.includes(marker))}`);
  }

  // ---------------------------------------------------------- 5. E3 leaves
  const e3Keys = new Set([...baseKeys.entries()].filter(([e]) => e >= c3.epoch - 0).map(([, k]) => k));
  const e3Last = await T.keys(e3);
  if (e3Last?.baseKey) e3Keys.add(e3Last.baseKey);
  await e3.page.evaluate(() => window.e2eeTest.leave());
  const leftAt = Date.now();
  const newCode = await pollUntil(async () => {
    const codes = await Promise.all([e1, e2].map(T.roomCode));
    return { ok: codes[0] && codes[0] === codes[1] && codes[0] !== c3.code, codes };
  }, 5_000, 25);
  const codeMs = Date.now() - leftAt;
  check('after E3 leaves E1 and E2 show a new, equal room code within 1 s', newCode.ok && codeMs <= kCodeSwitchMs,
        `"${c3.code}" -> E1 "${newCode.codes[0]}" E2 "${newCode.codes[1]}" ${codeMs} ms after the leave (polled every 25 ms)`);
  const c4 = await converged([e1, e2], 'after E3 left', c3.epoch + 1);
  const e3After = await T.keys(e3).catch(() => null);
  if (e3After?.baseKey) e3Keys.add(e3After.baseKey);
  check('E3 (gone) holds nothing of the new epoch', !e3Keys.has(baseKeys.get(c4.epoch)) && (e3After?.epoch ?? -1) < c4.epoch,
        `E3 after the leave: epoch ${e3After?.epoch}, phase ${e3After?.phase}; new epoch ${c4.epoch}`);
  await sampleMedia([e1, e2], 'after E3 left', c4.epoch);

  const capture2 = readCapture();
  if (withoutTestServer || capture2.missing) {
    notRun('capture: the switch after the leave, and E3\'s keys', withoutTestServer ? 'no test server' : `no capture file at '${capturePath}'`);
  } else {
    const e3LastMs = capture2.packets.filter((x) => x.publisher === e3.id).at(-1)?.ms;
    const removedAt = capture2.removed.find((r) => r.participant === e3.id)?.ms;
    const toE3 = capture2.mls.filter((m) => m.to === e3.id);
    const toE3After = toE3.filter((m) => removedAt === undefined || m.ms >= removedAt);
    check('the server relays nothing MLS to E3 after removing it (and did before)',
          removedAt !== undefined && toE3.length > 0 && toE3After.length === 0,
          `E3 removed at ${removedAt} ms; MLS relays to E3: ${toE3.length - toE3After.length} before ` +
          `(${JSON.stringify(tally(toE3, (m) => m.type))}), ${toE3After.length} after`);
    for (const p of [e1, e2]) {
      const frames = framesOf(capture2.packets, p.id).filter((f) => f.sframe);
      const newBits = epochBitsOf(c4.epoch);
      const firstNew = frames.find((f) => f.sframe.epochBits === newBits);
      const delay = firstNew && e3LastMs !== undefined ? firstNew.ms - e3LastMs : null;
      check(`capture: ${p.label} sends under the new epoch within 1 s of E3's leave`,
            delay !== null && delay <= kSwitchLimitMs,
            `E3's last packet at ${e3LastMs} ms, ${p.label}'s first frame of epoch ${c4.epoch} at ${firstNew?.ms} ms ` +
            `(+${delay} ms, limit ${kSwitchLimitMs})`);
      const postSwitch = frames.filter((f) => f.sframe.epochBits === newBits && f.complete);
      const withNewKey = await decryptFrames(postSwitch, () => baseKeys.get(c4.epoch));
      let openedByE3 = 0;
      for (const key of e3Keys) openedByE3 += (await decryptFrames(postSwitch, () => key)).filter((r) => r.ok).length;
      const kinds = tally(postSwitch, (f) => f.kind);
      check(`E3's keys open none of ${p.label}'s frames after the switch, which all open under the new epoch's key`,
            postSwitch.length > 0 && (kinds.audio ?? 0) > 0 && (kinds.video ?? 0) > 0 && withNewKey.every((r) => r.ok) && openedByE3 === 0,
            `${postSwitch.length} frames of epoch ${c4.epoch} (${JSON.stringify(kinds)}): ${withNewKey.filter((r) => r.ok).length} open ` +
            `with the new base key; ${e3Keys.size} base keys E3 held opened ${openedByE3}`);
    }
  }

  // ---------------------------------------------------------- 6. refusals
  if (withoutTestServer) {
    notRun('a client without E2EE is refused from room E', 'no room policy without the test server setup');
  } else {
    const query = new URLSearchParams({ room: 'E', name: 'Plain', token: tokens.PLAIN, autojoin: '1', e2ee: '0', video: 'low' });
    const app = await openPage('app e2ee=0', `${base1}/?${query}`);
    await app.page.waitForFunction(() => ['error', 'joined'].includes(window.aegisApp?.state()), null, { timeout: 15_000 }).catch(() => {});
    const state = await app.page.evaluate(() => window.aegisApp.state());
    const error = app.page.locator('#error');
    const code = await error.getAttribute('data-code');
    const text = await error.textContent();
    check('the app with e2ee=0 is refused from room E with e2ee_required',
          state === 'error' && code === 'e2ee_required' && (await error.isVisible()) && text.startsWith('e2ee_required'),
          `state=${state} #error code=${code} text="${text}"`);
    const page = await openTestPage('page e2ee=0', base1, 'E', tokens.PLAIN_PAGE, false);
    const s = await waitPhase(page, ['error', 'publishing'], 15_000);
    check('an SDK client without E2EE is refused from room E', s.phase === 'error' && s.error?.code === 'e2ee_required',
          `phase=${s.phase} error=${JSON.stringify(s.error)}`);
  }

  // ---------------------------------------------------------- 7. the app with E2EE
  {
    const query = new URLSearchParams({ room: 'E', name: 'E4', token: tokens.E4, autojoin: '1', e2ee: '1', video: 'low' });
    const appUrl = `${base1}/?${query}`;
    const app = await openPage('app E4', appUrl);
    const appState = async () => {
      const ui = await app.page.evaluate(() => ({
        state: window.aegisApp?.state(), selfId: window.aegisApp?.selfId(),
        code: document.getElementById('room-code').textContent,
        label: document.getElementById('room-code').getAttribute('aria-label'),
        lock: document.getElementById('e2ee-lock').dataset.encrypted,
        lockText: document.getElementById('e2ee-lock-text').textContent,
        roster: [...document.querySelectorAll('#roster li')].map((li) => ({ text: li.querySelector('.name')?.textContent ?? li.textContent, mark: li.dataset.mark })),
        warning: document.getElementById('key-warning').hidden ? null : document.getElementById('key-warning').textContent,
      }));
      return ui;
    };
    const shown = await pollUntil(async () => {
      const ui = await appState();
      const others = await Promise.all([e1, e2].map(T.roomCode));
      const ok = ui.state === 'joined' && ui.code && others.every((c) => c === ui.code) && ui.lock === 'true' && ui.roster.length === 3;
      return { ok, ui, others };
    }, 25_000, 500);
    check('the app (E4) shows the room code E1 and E2 show, with an aria-label, and lists the three members',
          Boolean(shown.ui.code) && shown.others.every((c) => c === shown.ui.code) && /^Code (\d{5}, ){5}\d{5}$/.test(shown.ui.label ?? '') &&
          shown.ui.roster.length === 3,
          `app "${shown.ui.code}" (aria-label "${shown.ui.label}"), E1 "${shown.others[0]}", E2 "${shown.others[1]}"; roster ${JSON.stringify(shown.ui.roster)}`);
    check('the app\'s lock turns "encrypted"', shown.ui.lock === 'true',
          `after ${shown.elapsed} ms: data-encrypted=${shown.ui.lock} text "${shown.ui.lockText}"`);
    const e4Id = shown.ui.selfId;
    // Verify E1 through the app's dialog.
    const e1Item = app.page.locator('#roster li', { hasText: 'E1' });
    await e1Item.locator('.verify').click();
    await app.page.waitForFunction(() => /^(\d{5} ){5}\d{5}$/.test(document.getElementById('pair-code').textContent), null, { timeout: 10_000 }).catch(() => {});
    const appPair = await app.page.locator('#pair-code').textContent();
    const e1Pair = await T.pairwise(e1, e4Id).catch((e) => `error ${e.message}`);
    check('the app\'s Verify dialog shows the pairwise code E1 computes for E4', appPair === e1Pair && /^(\d{5} ){5}\d{5}$/.test(appPair),
          `app "${appPair}", E1 "${e1Pair}"`);
    await app.page.locator('#verify-match').click();
    const marked = await pollUntil(async () => {
      const ui = await appState();
      return { ok: ui.roster.some((r) => r.text.startsWith('E1') && r.mark === 'verified'), ui };
    }, 3_000, 100);
    check('after "Codes match" the app lists E1 as verified', marked.ok, JSON.stringify(marked.ui.roster));
    // The app's chat reaches E1.
    const appMarker = `app-${randomHex(6)}`;
    await app.page.locator('#chat-input').fill(`from the app ${appMarker}`);
    await app.page.locator('#chat-send').click();
    const appChat = await pollUntil(async () => {
      const s = await T.state(e1);
      const m = s.chat.find((x) => x.text.includes(appMarker));
      return { ok: Boolean(m) && m.identity === 'e4', m };
    }, 5_000, 100);
    check('the app\'s chat message reaches E1', appChat.ok, `after ${appChat.elapsed} ms: ${JSON.stringify(appChat.m)}`);

    // Load the app again (same browser profile): same identity key, E1 still verified.
    await app.page.goto(appUrl, { timeout: 15_000 });
    const again = await pollUntil(async () => {
      const ui = await appState();
      return { ok: ui.state === 'joined' && ui.roster.some((r) => r.text.startsWith('E1') && r.mark === 'verified'), ui };
    }, 25_000, 500);
    const e4IdAgain = again.ui.selfId;
    const e1PairAgain = await pollUntil(async () => {
      const code = await T.pairwise(e1, e4IdAgain).catch(() => null);
      return { ok: Boolean(code), code };
    }, 10_000, 200);
    check('loaded again, the app keeps its identity key and shows E1 as verified',
          again.ok && e1PairAgain.code === e1Pair,
          `roster ${JSON.stringify(again.ui.roster)}; E1's pairwise code with E4 before "${e1Pair}", after "${e1PairAgain.code}"`);

    // E1 from a fresh browser profile: a new identity key for identity e1.
    const e1b = await openTestPage('E1 (new profile)', base1, 'E', tokens.E1);
    const warned = await pollUntil(async () => {
      const ui = await appState();
      return { ok: Boolean(ui.warning) && ui.roster.some((r) => r.text.startsWith('E1') && r.mark === 'changed'), ui };
    }, 20_000, 250);
    check('E1 with a new identity key makes the app show the "key changed" warning',
          warned.ok && /not the one you verified/.test(warned.ui.warning ?? ''),
          `warning "${warned.ui.warning}"; roster ${JSON.stringify(warned.ui.roster)}`);
    void e1b;
  }

  // ---------------------------------------------------------- 8. KeyPackage substitution (server 2)
  const s1 = await joinAndPublish('S1', base2, 'S', tokens.S1);
  s1.identity = 's1';
  const s2 = await joinAndPublish('S2', base2, 'S', tokens.S2);
  s2.identity = 's2';
  const s3 = await joinAndPublish('S3', base2, 'S', tokens.S3);
  s3.identity = 's3';
  const settledS = await pollUntil(async () => {
    const rosters = await Promise.all([s1, s3].map(T.roster));
    return { ok: rosters.every((r) => r.members.length === 3), rosters };
  }, kGroupMs, 200);
  const keysS = await Promise.all([s1, s2, s3].map(T.keys));
  const codesS = await Promise.all([s1, s2, s3].map(T.roomCode));
  const statusS = await Promise.all([s1, s2, s3].map(T.status));
  const figures = [s1, s2, s3].map((p, i) => `${p.label} phase ${keysS[i].phase} code "${codesS[i]}" ` +
    `(${statusS[i]?.encrypted ? 'encrypted' : `not encrypted: ${statusS[i]?.reason}`})`).join(', ');
  if (withoutTestServer) {
    notRun('a substituted KeyPackage makes the codes differ', `no test server (${figures})`);
  } else {
    check('with S2\'s KeyPackage substituted, S1 and S3 form a group of three that the real S2 is not in',
          settledS.ok && codesS[0] && codesS[0] === codesS[2] && codesS[1] !== codesS[0] && keysS[1].phase !== 'member' && !statusS[1]?.encrypted,
          `after ${settledS.elapsed} ms: ${figures}`);
    const s2Id = (await T.state(s2)).selfId;
    const seen = await T.pairwise(s1, s2Id).catch((e) => `error ${e.message}`);
    const member = (p, k, name) => ({ signatureKey: fromHex(k.signatureKey), credential: encodeCredential(p.identity, name) });
    const real = await pairwiseCode(member(s1, keysS[0], 'S1'), member(s2, keysS[1], 'S2'));
    check('the pairwise code S1 sees for "S2" differs from the one S1\'s and S2\'s real keys give',
          /^(\d{5} ){5}\d{5}$/.test(seen) && seen !== real,
          `S1 sees "${seen}"; S1 and the real S2 would compare "${real}" (≈ 99.7 bits an attacker would have to match)`);
  }
} catch (e) {
  check('test ran to the end', false, e.stack ?? String(e));
}

// ---------------------------------------------------------- 9. every page
for (const p of pages) {
  const csp = await p.page.evaluate(() => window.__cspViolations).catch((e) => [`cannot read: ${e.message}`]);
  check(`${p.label}: no CSP violation, no page error`, csp.length === 0 && p.errors.length === 0,
        `csp ${JSON.stringify(csp)} errors ${JSON.stringify(p.errors)}`);
}

await browser.close().catch(() => {});
clearTimeout(watchdog);
console.log(`e2ee: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);

#!/usr/bin/env node
// Interop test: headless Chromium (Debian's /usr/bin/chromium, driven by
// playwright-core) against aegis-echo. Run inside a network namespace (see
// run_in_netns.sh) through echo_interop.sh, which starts the server, passes
// its HTTP port as the last argument and checks the server's own log.
//   chromium_echo.mjs [--srtp SERVER_PROFILE_NAME] PORT
//
// One browser, one page per call, each loading the test page from aegis-echo
// itself (http://127.0.0.1 is a secure context; the page runs under the
// server's CSP) and calling window.runEcho() from web/echo_test.js:
//   1. a normal call: connected; echoed video keeps decoding (>= 30 more
//      frames over >= 3 s); echoed audio keeps arriving (>= 80 % of Opus's
//      50 packets/s over the same >= 3 s window); the data channel echoes
//      'hello aegis'; the SRTP profile is the expected one, over DTLS 1.2;
//      no CSP report;
//   2. the answer's fingerprints altered (this browser must refuse the
//      server) and 3. the offer's fingerprints altered before the server
//      sees them (the server must refuse this browser): never connected, no
//      frame decoded, no data-channel echo. That the server reported no
//      connection for 2 and 3 is checked from its log by echo_interop.sh.
// Prints one line per check and `chromium: N passed, N failed`; exits
// non-zero on any failure, including when playwright-core or Chromium
// cannot start (never skips).
import { createRequire } from 'node:module';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const srtpArg = args.indexOf('--srtp');
const serverProfile = srtpArg >= 0 ? args[srtpArg + 1] : 'AES_CM_128_HMAC_SHA1_80';
const port = args.length > 0 ? args.at(-1) : '8080';
const pageUrl = `http://127.0.0.1:${port}/index.html`;
const executablePath = process.env.AEGIS_CHROMIUM || '/usr/bin/chromium';
const chromiumFlags = [
  '--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream',
  '--allow-loopback-in-peer-connection',
];
const kMinFramesDecoded = 30;
const kMinSampleMs = 3000;
// Opus in WebRTC sends one packet per 20 ms frame: 50 packets/s (Chromium's
// fake microphone plays a continuous tone, so there is no DTX silence). Over
// a window of at least kMinAudioWindowMs the echo must bring back at least
// kMinAudioShare of that.
const kOpusPacketsPerSecond = 50;
const kMinAudioShare = 0.8;
const kMinAudioWindowMs = 2000;
// aegis-echo's profile names (as in its log) and what Chromium's getStats()
// calls the same profile.
const kChromiumCipherName = {
  AES_CM_128_HMAC_SHA1_80: 'SRTP_AES128_CM_HMAC_SHA1_80',
  AEAD_AES_128_GCM: 'SRTP_AEAD_AES_128_GCM',
  AEAD_AES_256_GCM: 'SRTP_AEAD_AES_256_GCM',
};

const fail = (message) => {
  console.error(`FAIL: ${message}`);
  console.log('chromium: 0 passed, 1 failed');
  process.exit(1);
};

const expectedCipher = kChromiumCipherName[serverProfile];
if (!expectedCipher) fail(`unknown SRTP profile ${serverProfile}`);

// CTest runs this from the build folder: resolve playwright-core from the
// repository's own node_modules (installed by scripts/setup.sh).
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
let chromium;
try {
  ({ chromium } = createRequire(path.join(repoRoot, 'package.json'))('playwright-core'));
} catch (e) {
  fail(`cannot load playwright-core from ${repoRoot}/node_modules (run scripts/setup.sh): ${e.message}`);
}

const watchdog = setTimeout(() => fail('the whole test took over 120 s'), 120_000);

function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no result within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

let passed = 0;
let failed = 0;
function check(name, ok, detail) {
  if (ok) ++passed;
  else ++failed;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}: ${detail}`);
}

async function call(page, options) {
  page.on('console', (m) => console.log(`  [page ${m.type()}] ${m.text()} ${m.location()?.url ?? ''}`));
  page.on('pageerror', (e) => console.log(`  [page error] ${e.message}`));
  await page.goto(pageUrl, { timeout: 15_000 });
  await page.waitForFunction(() => typeof window.runEcho === 'function', null, { timeout: 10_000 });
  return withTimeout(page.evaluate((o) => window.runEcho(o), options), 45_000, 'runEcho');
}

const frames = (s) => s?.video?.framesDecoded ?? 0;

const userDataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'aegis-chromium-'));
let context;
const launchStart = Date.now();
try {
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath, headless: true, args: chromiumFlags, timeout: 30_000,
  });
} catch (e) {
  await fs.rm(userDataDir, { recursive: true, force: true });
  fail(`cannot start Chromium at ${executablePath}: ${e.message}`);
}
console.log(`chromium: ${context.browser()?.version() ?? executablePath} started in ${Date.now() - launchStart} ms`);

try {
  // 1. A normal call.
  const page = context.pages()[0] ?? await context.newPage();
  const r = await call(page, { connectMs: 10_000, sampleMs: 3500 });
  console.log(`chromium: call: ${JSON.stringify(r)}`);
  const elapsed = Math.round(r.second.at - r.first.at);
  const decoded = frames(r.second) - frames(r.first);
  const t = r.second.transport ?? {};
  check('call connected', r.state === 'connected', `state=${r.state} final=${r.finalState}`);
  check('echoed video keeps decoding', decoded >= kMinFramesDecoded && elapsed >= kMinSampleMs,
        `framesDecoded ${frames(r.first)} -> ${frames(r.second)} (+${decoded}) over ${elapsed} ms ` +
        `(need +${kMinFramesDecoded} over >= ${kMinSampleMs} ms), ` +
        `${r.second.video?.frameWidth}x${r.second.video?.frameHeight}`);
  // Audio: packets received between the two samples, against what Opus
  // sent in that time. Before the first sample there may be none yet.
  const audioFirst = r.first.audio?.packetsReceived ?? 0;
  const audioSecond = r.second.audio?.packetsReceived ?? 0;
  const audioReceived = audioSecond - audioFirst;
  const audioExpected = (kOpusPacketsPerSecond * elapsed) / 1000;
  const audioNeeded = Math.ceil(kMinAudioShare * audioExpected);
  check('echoed audio keeps arriving',
        elapsed >= kMinAudioWindowMs && audioReceived >= audioNeeded,
        `audio packetsReceived ${audioFirst} -> ${audioSecond} (+${audioReceived}) over ${elapsed} ms = ` +
        `${(audioReceived * 1000 / Math.max(elapsed, 1)).toFixed(1)} packets/s; expected ` +
        `${audioExpected.toFixed(1)} at ${kOpusPacketsPerSecond}/s, need >= ${audioNeeded} ` +
        `(${kMinAudioShare * 100} %, window >= ${kMinAudioWindowMs} ms); ` +
        `packetsLost=${r.second.audio?.packetsLost} concealedSamples=${r.second.audio?.concealedSamples}`);
  check('data channel echo', r.echo === 'hello aegis', `echo=${JSON.stringify(r.echo)}`);
  check('SRTP cipher', t.srtpCipher === expectedCipher,
        `srtpCipher=${t.srtpCipher} (want ${expectedCipher}) dtlsCipher=${t.dtlsCipher}`);
  check('DTLS 1.2', t.tlsVersion === 'FEFD', `tlsVersion=${t.tlsVersion} dtlsRole=${t.dtlsRole}`);
  check('no CSP violation', r.cspViolations.length === 0, JSON.stringify(r.cspViolations));
  await page.close();

  // 2. The answer's fingerprints altered: the server's certificate no longer
  // matches what this browser expects. 3. The offer's fingerprints altered:
  // this browser's certificate no longer matches what the server expects.
  for (const [name, options] of [['answer fingerprint altered', { tamperFingerprint: true }],
                                 ['offer fingerprint altered', { tamperOfferFingerprint: true }]]) {
    const p = await context.newPage();
    const b = await call(p, { ...options, connectMs: 10_000 });
    console.log(`chromium: ${name}: ${JSON.stringify(b)}`);
    const altered = options.tamperFingerprint ? b.answerTampered : b.offerTampered;
    check(`${name}: no connection`,
          altered === true && b.state !== 'connected' && b.finalState !== 'connected' && b.echo === null,
          `altered=${altered} state=${b.state} final=${b.finalState} ` +
          `dtlsState=${b.second.transport?.dtlsState} echo=${JSON.stringify(b.echo)}`);
    check(`${name}: no frame decoded`, frames(b.second) === 0,
          `framesDecoded=${frames(b.second)} packetsReceived=${b.second.video?.packetsReceived ?? 0}`);
    await p.close();
  }
} catch (e) {
  check('test ran to the end', false, e.stack ?? String(e));
} finally {
  await context.close().catch(() => {});
  await fs.rm(userDataDir, { recursive: true, force: true });
}
clearTimeout(watchdog);
console.log(`chromium: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);

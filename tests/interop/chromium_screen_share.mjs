#!/usr/bin/env node
// Screen sharing in the meeting app, end to end encrypted: headless Chromium
// (Debian's /usr/bin/chromium through playwright-core) against `aegis serve`,
// run inside a network namespace by screen_share.sh, which starts the server
// with room S set to require E2EE and mints the tokens:
//   chromium_screen_share.mjs BASE_URL ARTIFACT_DIR
// with AEGIS_TOKEN_A and AEGIS_TOKEN_B (room S), AEGIS_TOKEN_PA and
// AEGIS_TOKEN_PB (room P, no E2EE).
//
// One browser, two pages: A (Ada) and B (Grace) join room S from autojoin
// links with e2ee=1 and their fake cameras and microphones. getDisplayMedia
// picks its source by itself (kScreenFlags: Chromium's fake capture devices
// and fake permission UI; the click on "Share screen" is a real input event,
// which getDisplayMedia needs). Checks, with the figures printed:
//   1. A clicks "Share screen": within kShownMs B shows a screen tile for A
//      that is the largest tile on its stage, larger than A's camera tile;
//      the screen tile's <video> keeps decoding frames (counted over 1 s),
//      and B's E2EE worker keeps decrypting the screen's frames (a receiver
//      whose KID context is a screen's; its decrypt count rises, nothing
//      fails) while A's worker encrypts them; A's camera tile on B keeps
//      playing too; B's lock says "End-to-end encrypted";
//   2. A clicks the button again: B's screen tile is gone within kGoneMs
//      (2 s), A's capture track is stopped and the button is released;
//   3. A shares again (the same checks as 1, briefly), then the capture ends
//      the way the browser ends it when its own "Stop sharing" bar is used:
//      the track's readyState turns 'ended' and an 'ended' event fires on it.
//      Script cannot press that bar, and track.stop() from script ends the
//      track without firing 'ended' (Media Capture and Streams: stop() never
//      fires it), so the test stops the track and then dispatches the same
//      'ended' event the browser would: the path the SDK listens to. B's
//      screen tile is gone within kGoneMs, A's button is released and its
//      status says the sharing stopped;
//   3b. share 3 with A's publish lying (its "sources" call the screen
//      "camera", as a lying client or server could): B's SDK sees the
//      frames' screen KID context disagree, reports e2eeerror
//      source_mismatch and trusts the frames, so B still shows the screen;
//   4. the same call in room P, which has no E2EE (e2ee=0): A shares, and
//      B shows A's screen as the largest tile, decoding, A's camera small:
//      the mark comes from signaling only (publish "sources" ->
//      track_published.source, docs/protocol.md §3), and B's SDK says
//      sourceOf = 'screen' for it; A stops and B's screen tile goes;
//   5. no CSP violation and no page error on any page.
// A screenshot of B's stage while A shares goes to ARTIFACT_DIR. Prints one
// line per check and `screen share: N passed, N failed`; exits non-zero on
// any failure, including when playwright-core or Chromium cannot start or
// getDisplayMedia gives nothing (never skips).
import { createRequire } from 'node:module';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const baseUrl = (process.argv[2] ?? '').replace(/\/+$/, '');
const artifactDir = process.argv[3] ?? '';
const executablePath = process.env.AEGIS_CHROMIUM || '/usr/bin/chromium';
// The fake capture devices answer getDisplayMedia too, and the fake UI
// accepts its prompt without a picker.
const kScreenFlags = ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'];
const chromiumFlags = [
  '--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--allow-loopback-in-peer-connection', '--autoplay-policy=no-user-gesture-required',
  ...kScreenFlags,
];
const kShownMs = 10_000;  // from the click to a decoding screen tile on B
const kGoneMs = 2_000;    // from the stop to B's screen tile gone

const fail = (message) => {
  console.error(`FAIL: ${message}`);
  console.log('screen share: 0 passed, 1 failed');
  process.exit(1);
};

const tokens = {
  A: process.env.AEGIS_TOKEN_A ?? '', B: process.env.AEGIS_TOKEN_B ?? '',
  PA: process.env.AEGIS_TOKEN_PA ?? '', PB: process.env.AEGIS_TOKEN_PB ?? '',
};
if (!/^https?:\/\/[^/]+$/.test(baseUrl) || !artifactDir) fail(`usage: chromium_screen_share.mjs BASE_URL ARTIFACT_DIR (got '${baseUrl}' '${artifactDir}')`);
for (const [n, t] of Object.entries(tokens)) if (t.split('.').length !== 3) fail(`AEGIS_TOKEN_${n} is missing or not a JWT`);

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
let chromium;
try {
  ({ chromium } = createRequire(path.join(repoRoot, 'package.json'))('playwright-core'));
} catch (e) {
  fail(`cannot load playwright-core from ${repoRoot}/node_modules (run scripts/setup.sh): ${e.message}`);
}
await mkdir(artifactDir, { recursive: true }).catch((e) => fail(`cannot create ${artifactDir}: ${e.message}`));

const watchdog = setTimeout(() => fail('the whole test took over 170 s'), 170_000);
let passed = 0;
let failed = 0;
function check(name, ok, detail) {
  if (ok) ++passed;
  else ++failed;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}: ${detail}`);
}
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
async function pollUntil(probe, ms, everyMs = 50) {
  const start = Date.now();
  for (;;) {
    const value = await probe();
    const elapsed = Date.now() - start;
    if (value?.ok || elapsed >= ms) return { ...value, elapsed };
    await sleep(everyMs);
  }
}

let browser;
const launchStart = Date.now();
try {
  browser = await chromium.launch({ executablePath, headless: true, args: chromiumFlags, timeout: 30_000 });
} catch (e) {
  fail(`cannot start Chromium at ${executablePath}: ${e.message}`);
}
console.log(`screen share: chromium ${browser.version()} started in ${Date.now() - launchStart} ms; server ${baseUrl}`);

function pageInit() {
  window.__cspViolations = [];
  // A lying publisher (share 3): its publish names the screen's section
  // "camera"; the frames' KID context still says screen.
  const send = WebSocket.prototype.send;
  WebSocket.prototype.send = function (data) {
    if (window.__lieAboutSources && typeof data === 'string' && data.includes('"sources"')) {
      try {
        const m = JSON.parse(data);
        for (const k of Object.keys(m.sources ?? {})) if (m.sources[k] === 'screen') m.sources[k] = 'camera';
        data = JSON.stringify(m);
      } catch { /* not JSON: sent as is */ }
    }
    return send.call(this, data);
  };
  document.addEventListener('securitypolicyviolation', (e) => window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`));
}

const pages = [];
async function openPage(label, url) {
  const context = await browser.newContext({ permissions: ['camera', 'microphone'], viewport: { width: 1280, height: 800 } });
  await context.addInitScript(pageInit);
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

const appUrl = (query) => `${baseUrl}/?${new URLSearchParams({ room: 'S', video: 'low', e2ee: '1', autojoin: '1', ...query })}`;
async function joined(p, ms = 20_000) {
  await p.page.waitForFunction(() => ['joined', 'error'].includes(window.aegisApp?.state()), null, { timeout: ms }).catch(() => {});
  const state = await p.page.evaluate(() => window.aegisApp.state());
  p.id = await p.page.evaluate(() => window.aegisApp.selfId());
  return state;
}

const tilesOf = (p) => p.page.evaluate(() => window.aegisApp.tiles());
const area = (t) => (t ? t.width * t.height : 0);
const fmt = (t) => (t ? `${Math.round(t.width)}x${Math.round(t.height)} (video ${t.videoWidth}x${t.videoHeight}, ${t.frames} frames)` : 'none');

// Per-track E2EE counters of `p` for the tracks of `participantId` that are
// screen shares: { decrypted, encrypted, failed }.
async function screenCrypto(p, participantId) {
  const e2ee = await p.page.evaluate(() => window.aegisApp.e2ee());
  const tracks = (e2ee.stats?.[participantId]?.tracks ?? []).filter((t) => t.screen && t.kind === 'video');
  const sum = (k) => tracks.reduce((s, t) => s + (t[k] ?? 0), 0);
  return { n: tracks.length, decrypted: sum('decrypted'), encrypted: sum('encrypted'), failed: sum('failed'), encryptedStatus: e2ee.encrypted, reason: e2ee.reason };
}

// 1 and 3: after A started sharing (at `clickedAt`), B shows it large,
// decoding and decrypting.
async function checkShown(a, b, clickedAt, what, { screenshot = false } = {}) {
  const shown = await pollUntil(async () => {
    const tiles = await tilesOf(b);
    const screen = tiles.find((t) => t.role === 'screen' && t.participantId === a.id);
    return { ok: Boolean(screen && screen.frames > 0 && screen.videoWidth > 0), tiles, screen };
  }, kShownMs);
  const shownMs = Date.now() - clickedAt;
  const sharing = await a.page.evaluate(() => ({ sharing: window.aegisApp.sharingScreen(), pressed: document.getElementById('toggle-screen').getAttribute('aria-pressed') }));
  // Let the tiles settle (they glide to new places in 150 ms).
  await sleep(400);
  const tiles = await tilesOf(b);
  const screen = tiles.find((t) => t.role === 'screen' && t.participantId === a.id);
  const camera = tiles.find((t) => t.role === 'camera' && t.participantId === a.id);
  const largest = tiles.every((t) => t === screen || area(t) < area(screen));
  check(`${what}: B shows A's screen in its own tile, decoding, within ${kShownMs / 1000} s of the click`,
        shown.ok && sharing.sharing && sharing.pressed === 'true',
        `after ${shownMs} ms: screen ${fmt(shown.screen)}; A sharing ${sharing.sharing}, button pressed ${sharing.pressed}`);
  check(`${what}: the screen is the largest tile on B's stage, A's camera small`,
        Boolean(screen && camera) && largest && area(screen) > 2 * area(camera),
        `screen ${fmt(screen)}, A's camera ${fmt(camera)}, all: ${tiles.map((t) => `${t.role}:${Math.round(t.width)}x${Math.round(t.height)}`).join(' ')}`);
  if (screenshot) await b.page.screenshot({ path: path.join(artifactDir, 'screen-share.png') }).catch(() => {});

  // Keeps decoding and decrypting: two looks 1 s apart.
  const before = { tiles, crypto: await screenCrypto(b, a.id), sent: await screenCrypto(a, a.id) };
  await sleep(1_000);
  const afterTiles = await tilesOf(b);
  const after = { crypto: await screenCrypto(b, a.id), sent: await screenCrypto(a, a.id) };
  const s0 = before.tiles.find((t) => t.role === 'screen' && t.participantId === a.id);
  const s1 = afterTiles.find((t) => t.role === 'screen' && t.participantId === a.id);
  const c0 = before.tiles.find((t) => t.role === 'camera' && t.participantId === a.id);
  const c1 = afterTiles.find((t) => t.role === 'camera' && t.participantId === a.id);
  const framesPerS = (s1?.frames ?? 0) - (s0?.frames ?? 0);
  const decryptedPerS = after.crypto.decrypted - before.crypto.decrypted;
  const encryptedPerS = after.sent.encrypted - before.sent.encrypted;
  check(`${what}: the screen keeps decoding on B and its frames keep decrypting (SFrame, a screen's KID context)`,
        framesPerS >= 3 && decryptedPerS >= 3 && after.crypto.failed === before.crypto.failed && after.crypto.n >= 1 && encryptedPerS >= 3,
        `in 1 s: ${framesPerS} frames decoded, ${decryptedPerS} decrypted (${after.crypto.n} screen receiver(s), ` +
        `${after.crypto.failed - before.crypto.failed} failed), ${encryptedPerS} encrypted by A`);
  check(`${what}: A's camera keeps playing on B, and B's lock says end-to-end encrypted`,
        (c1?.frames ?? 0) > (c0?.frames ?? 0) && after.crypto.encryptedStatus,
        `A's camera: ${(c1?.frames ?? 0) - (c0?.frames ?? 0)} frames in 1 s; B: encrypted ${after.crypto.encryptedStatus} (${after.crypto.reason})`);
}

// 2 and 3: after A stopped (at `stoppedAt`), B's screen tile goes.
async function checkGone(a, b, stoppedAt, what) {
  const gone = await b.page.waitForFunction((id) => !window.aegisApp.tiles().some((t) => t.role === 'screen' && t.participantId === id),
    a.id, { timeout: kGoneMs + 3_000, polling: 20 }).then(() => Date.now() - stoppedAt, () => null);
  const state = await a.page.evaluate(() => ({
    sharing: window.aegisApp.sharingScreen(), pressed: document.getElementById('toggle-screen').getAttribute('aria-pressed'),
    track: window.aegisApp.screenTrack()?.readyState ?? 'released', status: document.getElementById('status').textContent,
  }));
  check(`${what}: B's screen tile is gone within ${kGoneMs / 1000} s, A's button is released`,
        gone !== null && gone <= kGoneMs && !state.sharing && state.pressed === 'false' && state.track === 'released',
        `gone after ${gone ?? 'never (5 s)'} ms; A: ${JSON.stringify(state)}`);
  return state;
}

let a;
let b;
try {
  a = await openPage('A', appUrl({ name: 'Ada Lovelace', token: tokens.A }));
  b = await openPage('B', appUrl({ name: 'Grace Hopper', token: tokens.B }));
  const states = [await joined(a), await joined(b)];
  const playing = await pollUntil(async () => {
    const [ta, tb] = [await tilesOf(a), await tilesOf(b)];
    const seen = (tiles, id) => tiles.some((t) => t.role === 'camera' && t.participantId === id && t.frames > 0);
    return { ok: seen(ta, b.id) && seen(tb, a.id) };
  }, 20_000);
  const button = await a.page.evaluate(() => {
    const el = document.getElementById('toggle-screen');
    return { disabled: el.disabled, label: el.getAttribute('aria-label'), api: typeof navigator.mediaDevices.getDisplayMedia };
  });
  check('A and B join room S end to end encrypted and see each other\'s cameras; A has a "Share your screen" button',
        states.every((s) => s === 'joined') && playing.ok && !button.disabled && button.label === 'Share your screen',
        `states ${states}; cameras playing after ${playing.elapsed} ms: ${playing.ok}; button ${JSON.stringify(button)}`);
  if (states.some((s) => s !== 'joined')) throw new Error('a page did not join');

  // ------------------------------------------------------------ 1. share, stop with the button
  let clickedAt = Date.now();
  await a.page.click('#toggle-screen');
  await checkShown(a, b, clickedAt, 'share 1', { screenshot: true });
  let stoppedAt = Date.now();
  await a.page.click('#toggle-screen');
  await checkGone(a, b, stoppedAt, 'stop with the button');

  // ------------------------------------------------------------ 3. share again, end as the browser does
  clickedAt = Date.now();
  await a.page.click('#toggle-screen');
  await checkShown(a, b, clickedAt, 'share 2');
  stoppedAt = Date.now();
  const ended = await a.page.evaluate(() => {
    const track = window.aegisApp.screenTrack();
    if (!track) return 'no screen track';
    // What Chromium does when its "Stop sharing" bar is pressed: the capture
    // ends (readyState 'ended') and the track fires 'ended'.
    track.stop();
    track.dispatchEvent(new Event('ended'));
    return track.readyState;
  });
  const state = await checkGone(a, b, stoppedAt, 'capture ended by the browser');
  check('after the browser ended the capture, A\'s page says the sharing stopped', ended === 'ended' && /stopped/i.test(state.status),
        `track ${ended}; status "${state.status}"`);

  // ------------------------------------------------------------ share 3: signaling lies, the frames win
  await a.page.evaluate(() => { window.__lieAboutSources = true; });
  clickedAt = Date.now();
  await a.page.click('#toggle-screen');
  const lied = await pollUntil(async () => {
    const tiles = await tilesOf(b);
    const screen = tiles.find((t) => t.role === 'screen' && t.participantId === a.id);
    const errors = await b.page.evaluate(() => window.aegisApp.e2eeErrors());
    return { ok: Boolean(screen && screen.frames > 0) && errors.includes('source_mismatch'), screen, errors };
  }, kShownMs);
  const told = await b.page.evaluate((id) => window.aegisApp.trackSources(id), a.id);
  const signalled = (told.signalled ?? []).filter((t) => t.kind === 'video').map((t) => t.source);
  check('share 3 (E2EE): A\'s publish calls its screen "camera"; B\'s SDK reports source_mismatch and trusts the frames: the screen tile is shown',
        lied.ok && !signalled.includes('screen') && (told.videos ?? []).includes('screen'),
        `after ${Date.now() - clickedAt} ms: screen ${fmt(lied.screen)}; B's e2eeerrors ${JSON.stringify(lied.errors)}; ` +
        `signalled video sources ${JSON.stringify(signalled)}; B's sourceOf ${JSON.stringify(told.videos)}`);
  await a.page.evaluate(() => { window.__lieAboutSources = false; });
  stoppedAt = Date.now();
  await a.page.click('#toggle-screen');
  await checkGone(a, b, stoppedAt, 'share 3 stopped');
} catch (e) {
  check('test ran to the end', false, e.stack ?? String(e));
}

// 5. Each page checked once, before it closes.
async function checkPages() {
  for (const p of pages.splice(0)) {
    const csp = await p.page.evaluate(() => window.__cspViolations).catch((e) => [`cannot read: ${e.message}`]);
    check(`${p.label}: no CSP violation, no page error`, csp.length === 0 && p.errors.length === 0,
          `csp ${JSON.stringify(csp)} errors ${JSON.stringify(p.errors)}`);
    await p.context.close().catch(() => {});
  }
}

// ------------------------------------------------------------ 4. room P, no E2EE: the mark from signaling
await checkPages();
try {
  const pa = await openPage('PA', appUrl({ room: 'P', e2ee: '0', name: 'Ada Lovelace', token: tokens.PA }));
  const pb = await openPage('PB', appUrl({ room: 'P', e2ee: '0', name: 'Grace Hopper', token: tokens.PB }));
  const states = [await joined(pa), await joined(pb)];
  const playing = await pollUntil(async () => {
    const tb = await tilesOf(pb);
    return { ok: tb.some((t) => t.role === 'camera' && t.participantId === pa.id && t.frames > 0) };
  }, 20_000);
  const e2ee = await pb.page.evaluate(() => window.aegisApp.e2ee());
  check('room P (no E2EE): A and B join without encryption and B sees A\'s camera',
        states.every((s) => s === 'joined') && playing.ok && !e2ee.encrypted,
        `states ${states}; camera playing after ${playing.elapsed} ms: ${playing.ok}; B encrypted ${e2ee.encrypted}`);
  if (states.some((s) => s !== 'joined')) throw new Error('a room P page did not join');
  const clickedAt = Date.now();
  await pa.page.click('#toggle-screen');
  const shown = await pollUntil(async () => {
    const tiles = await tilesOf(pb);
    const screen = tiles.find((t) => t.role === 'screen' && t.participantId === pa.id);
    return { ok: Boolean(screen && screen.frames > 0 && screen.videoWidth > 0), screen };
  }, kShownMs);
  const shownMs = Date.now() - clickedAt;
  await sleep(400);
  const tiles = await tilesOf(pb);
  const screen = tiles.find((t) => t.role === 'screen' && t.participantId === pa.id);
  const camera = tiles.find((t) => t.role === 'camera' && t.participantId === pa.id);
  const largest = Boolean(screen) && tiles.every((t) => t === screen || area(t) < area(screen));
  // What B's SDK was told: A's participant object names a screen track.
  const told = await pb.page.evaluate((id) => window.aegisApp.trackSources(id), pa.id).catch((e) => ({ error: e.message }));
  const signalledScreen = (told.signalled ?? []).some((t) => t.kind === 'video' && t.source === 'screen') &&
                          (told.signalled ?? []).some((t) => t.kind === 'video' && t.source === 'camera');
  check(`room P: B shows A's screen in its own tile, decoding, within ${kShownMs / 1000} s, from signaling alone`,
        shown.ok && signalledScreen && (told.videos ?? []).includes('screen'),
        `after ${shownMs} ms: screen ${fmt(shown.screen)}; A's tracks as B was told: ${JSON.stringify(told)}`);
  check('room P: the screen is the largest tile on B\'s stage, A\'s camera small',
        Boolean(screen && camera) && largest && area(screen) > 2 * area(camera),
        `screen ${fmt(screen)}, A's camera ${fmt(camera)}, all: ${tiles.map((t) => `${t.role}:${Math.round(t.width)}x${Math.round(t.height)}`).join(' ')}`);
  await pb.page.screenshot({ path: path.join(artifactDir, 'screen-share-no-e2ee.png') }).catch(() => {});
  const stoppedAt = Date.now();
  await pa.page.click('#toggle-screen');
  await checkGone(pa, pb, stoppedAt, 'room P: stop with the button');
} catch (e) {
  check('room P part ran to the end', false, e.stack ?? String(e));
}

await checkPages();
await browser.close().catch(() => {});
clearTimeout(watchdog);
console.log(`screen share: ${passed} passed, ${failed} failed; screenshot in ${artifactDir}`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);

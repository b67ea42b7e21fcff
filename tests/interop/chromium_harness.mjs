// What the Chromium interop tests share: playwright-core from the
// repository's node_modules driving Debian's /usr/bin/chromium (or
// AEGIS_CHROMIUM), the flags every test starts it with, one line per check,
// the summary line `<title>: N passed, N failed`, and a run that never skips:
// Chromium or playwright-core missing is a failure.
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

// Headless, no network noise, fake camera and microphone with their
// permission prompts answered, loopback candidates allowed, autoplay on.
export const kChromiumFlags = [
  '--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream',
  '--allow-loopback-in-peer-connection', '--autoplay-policy=no-user-gesture-required',
];

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Checks and the summary for a test titled `title`. fail() ends the run at
// once (a broken precondition); finish() exits non-zero unless something
// passed and nothing failed.
export function makeReport(title) {
  let passed = 0;
  let failed = 0;
  return {
    fail(message) {
      console.error(`FAIL: ${message}`);
      console.log(`${title}: ${passed} passed, ${failed + 1} failed`);
      process.exit(1);
    },
    check(name, ok, detail) {
      if (ok) ++passed;
      else ++failed;
      console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}: ${detail}`);
    },
    finish() {
      console.log(`${title}: ${passed} passed, ${failed} failed`);
      process.exit(failed === 0 && passed > 0 ? 0 : 1);
    },
  };
}

// A started Chromium, or report.fail() saying what is missing.
// `executablePath`: another Chromium launcher (a test with a browser in a
// network namespace of its own beside one in the test's); default
// $AEGIS_CHROMIUM, else /usr/bin/chromium.
export async function launchChromium(report, args = kChromiumFlags, { executablePath: launcher = undefined } = {}) {
  let chromium;
  try {
    ({ chromium } = createRequire(path.join(repoRoot, 'package.json'))('playwright-core'));
  } catch (e) {
    report.fail(`cannot load playwright-core from ${repoRoot}/node_modules (run scripts/setup.sh): ${e.message}`);
  }
  const executablePath = launcher ?? (process.env.AEGIS_CHROMIUM || '/usr/bin/chromium');
  try {
    return await chromium.launch({ executablePath, headless: true, args, timeout: 30_000 });
  } catch (e) {
    report.fail(`cannot start Chromium at ${executablePath}: ${e.message}`);
  }
  return null;
}

// An init script (context.addInitScript) that keeps every RTCPeerConnection
// the page makes in window.__peerConnections, for their stats. It runs
// before the page's own scripts.
export function keepPeerConnections() {
  window.__peerConnections = [];
  const Native = window.RTCPeerConnection;
  window.RTCPeerConnection = class extends Native {
    constructor(...args) {
      super(...args);
      window.__peerConnections.push(this);
    }
  };
}

// Polls `probe` until it returns a truthy value or `ms` runs out; returns
// {value, elapsed} (the last value, and the time taken).
export async function waitFor(probe, ms, everyMs = 100) {
  const start = Date.now();
  for (;;) {
    const value = await probe();
    if (value || Date.now() - start >= ms) return { value, elapsed: Date.now() - start };
    await sleep(everyMs);
  }
}

// A page of the demo app in a browser context of its own (camera and
// microphone allowed, every RTCPeerConnection kept for its stats), opened
// at `baseUrl` with `query` (room, name, token, ...). Page errors are
// printed with `label`.
export async function openApp(browser, baseUrl, query, { label = '', contextOptions = {} } = {}) {
  const context = await browser.newContext({ permissions: ['camera', 'microphone'], ...contextOptions });
  await context.addInitScript(keepPeerConnections);
  const page = await context.newPage();
  page.on('pageerror', (e) => console.log(`  [chromium ${label} page error] ${e.message}`));
  // AEGIS_DEBUG_CONSOLE=1: the page's console too (what the SDK logs while debugging).
  if (process.env.AEGIS_DEBUG_CONSOLE) page.on('console', (m) => console.log(`  [chromium ${label}] ${m.text()}`));
  await page.goto(`${baseUrl}/?${new URLSearchParams(query)}`, { timeout: 15_000 });
  await page.waitForFunction(() => typeof window.aegisApp === 'object', null, { timeout: 10_000 });
  return page;
}

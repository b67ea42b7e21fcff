#!/usr/bin/env node
// E2EE v2 join latency, end to end on loopback: a real `aegis serve`
// (--dev tokens, --mls-suite N) and headless Chromium pages running the
// real SDK (the E2EE test page, tests/interop/web_e2ee/). N-1 participants
// join a room one after another and publish their (fake) microphone; then
// the N-th joins and reports how long after `joined` it decrypted its first
// remote frame (the MLS commit that adds it, its Welcome, the others'
// switch to the new epoch 250 ms after the commit, and the first frame).
// docs/e2ee.md budget: <= 600 ms for the 10th joiner.
//
//   node bench/js/e2ee_join_bench.mjs [--members 10] [--publishers N] [--runs 3] [--suite 83|1|both]
//       [--json] [--aegis build/src/app/aegis] [--port 18480]
// --publishers: how many of the first N-1 publish their microphone (default
// all). Ten Chromium pages each decoding nine audio streams saturate a small
// machine; with one publisher the figure is the protocol's, not the box's.
// Not a test: a benchmark (docs/benchmarks.md, "MLS"). Progress on stderr.
import { createRequire } from 'node:module';
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
};
if (args.includes('--help')) {
  console.log('usage: e2ee_join_bench.mjs [--members N] [--runs N] [--suite 83|1|both] [--json] [--aegis PATH] [--port PORT]');
  process.exit(0);
}
const members = Number(opt('members', '10'));
const publishers = Number(opt('publishers', String(members - 1)));
const runs = Number(opt('runs', '3'));
const suites = opt('suite', 'both') === 'both' ? [83, 1] : [Number(opt('suite', '83'))];
const aegis = path.resolve(opt('aegis', path.join(repoRoot, 'build/src/app/aegis')));
const port = Number(opt('port', '18480'));
const json = args.includes('--json');
const progress = (text) => process.stderr.write(`${text}\n`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const { chromium } = createRequire(path.join(repoRoot, 'package.json'))('playwright-core');
const chromiumFlags = [
  '--headless=new', '--no-sandbox', '--disable-gpu', '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream', '--allow-loopback-in-peer-connection', '--autoplay-policy=no-user-gesture-required',
];

async function waitUntil(probe, ms, what) {
  const start = Date.now();
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() - start > ms) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(50);
  }
}

async function startServer(suite) {
  const web = mkdtempSync(path.join(os.tmpdir(), 'aegis-bench-web-'));
  const data = mkdtempSync(path.join(os.tmpdir(), 'aegis-bench-data-'));
  cpSync(path.join(repoRoot, 'web'), web, { recursive: true });
  for (const f of ['e2ee_test.html', 'e2ee_test.js']) cpSync(path.join(repoRoot, 'tests/interop/web_e2ee', f), path.join(web, f));
  const server = spawn(aegis, ['serve', '--listen', `127.0.0.1:${port}`, '--web', web, '--data', data, '--dev',
    '--mls-suite', String(suite), '--media-port', String(port + 100)], { stdio: ['ignore', 'ignore', 'inherit'] });
  const base = `http://127.0.0.1:${port}`;
  await waitUntil(() => fetch(`${base}/e2ee_test.html`).then((r) => r.ok).catch(() => false), 10_000, 'the server');
  return { base, stop: () => { server.kill(); rmSync(web, { recursive: true }); rmSync(data, { recursive: true }); } };
}

async function token(base, room) {
  const r = await fetch(`${base}/api/dev-token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ room }) });
  if (!r.ok) throw new Error(`dev-token: HTTP ${r.status}`);
  return (await r.json()).token;
}

async function openMember(browser, base, room, suite, publish = true) {
  const context = await browser.newContext({ permissions: ['microphone'] });
  const page = await context.newPage();
  const q = new URLSearchParams({ room, token: await token(base, room), e2ee: '1', suite: String(suite), media: publish ? 'audio' : 'none' });
  await page.goto(`${base}/e2ee_test.html?${q}`);
  const want = publish ? 'publishing' : 'joined';
  await waitUntil(() => page.evaluate((w) => window.e2eeTest?.state().phase === w, want).catch(() => false), 20_000, want);
  return { context, page };
}

async function oneRun(browser, base, suite, run) {
  const room = `bench-${suite}-${run}-${Date.now()}`;
  const pages = [];
  try {
    for (let i = 0; i < members - 1; i++) {
      pages.push(await openMember(browser, base, room, suite, i >= members - 1 - publishers));
      // Each joiner in the group before the next, as people arrive.
      await waitUntil(() => pages.at(-1).page.evaluate(() => window.e2eeTest.epoch() !== null), 10_000, 'group entry');
    }
    await sleep(1000);
    const last = await openMember(browser, base, room, suite);
    pages.push(last);
    const ms = await waitUntil(() => last.page.evaluate(() => window.e2eeTest.state().firstDecryptMs), 30_000, 'first decrypted frame');
    const epoch = await last.page.evaluate(() => window.e2eeTest.epoch());
    const inGroupMs = await last.page.evaluate(() => window.e2eeTest.state().firstEpochMs);
    return { ms, inGroupMs, epoch };
  } finally {
    for (const p of pages) await p.context.close().catch(() => {});
  }
}

const browser = await chromium.launch({ executablePath: process.env.AEGIS_CHROMIUM || '/usr/bin/chromium', args: chromiumFlags });
const results = [];
for (const suite of suites) {
  const server = await startServer(suite);
  try {
    for (let run = 1; run <= runs; run++) {
      const r = await oneRun(browser, server.base, suite, run);
      progress(`suite ${suite} run ${run}/${runs}: joiner ${members} in the group ${r.inGroupMs} ms and decrypted its first ` +
               `remote frame ${r.ms} ms after joined (epoch ${r.epoch}; ${publishers} publishing)`);
      results.push({ suite, run, ...r });
    }
  } finally {
    server.stop();
  }
}
const version = browser.version();
await browser.close();
const summary = suites.map((suite) => {
  const mine = results.filter((r) => r.suite === suite);
  const ms = mine.map((r) => r.ms).sort((a, b) => a - b);
  const inGroup = mine.map((r) => r.inGroupMs).sort((a, b) => a - b);
  return { suite, members, publishers, runs: ms.length, median_ms: ms[Math.floor(ms.length / 2)], max_ms: ms.at(-1), all_ms: ms,
           in_group_median_ms: inGroup[Math.floor(inGroup.length / 2)] };
});
if (json) console.log(JSON.stringify({ chromium: version, cpus: os.cpus().length, summary }, null, 2));
else {
  for (const s of summary) {
    console.log(`suite ${s.suite}: joiner ${members} (${publishers} publishing) in the group after a median ${s.in_group_median_ms} ms; ` +
                `first decrypted frame: median ${s.median_ms} ms, max ${s.max_ms} ms (${s.all_ms.join(', ')})`);
  }
}

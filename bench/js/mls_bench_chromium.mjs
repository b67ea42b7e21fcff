// Runs bench/js/mls_bench.mjs inside headless Chromium (Debian's, driven by
// playwright-core, as the interop tests do), where the budgets apply:
// WebCrypto there is BoringSSL behind Blink's asynchronous crypto thread, not
// Node's OpenSSL. A static server on 127.0.0.1 (an ephemeral port, this
// process only) serves the repository's files; tests/js/mls_tsmls.mjs (ts-mls
// for the test Delivery Service, bare imports) is served bundled by esbuild.
//
//   node bench/js/mls_bench_chromium.mjs [--json] [--runs N]
//   AEGIS_CHROMIUM=/path/to/chromium overrides /usr/bin/chromium.

import http from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const args = process.argv.slice(2);
const query = args.map((a) => `arg=${encodeURIComponent(a)}`).join('&');

const tsmlsBundle = (await build({
  entryPoints: [path.join(root, 'tests/js/mls_tsmls.mjs')], bundle: true, format: 'esm', platform: 'browser',
  write: false, logLevel: 'warning',
})).outputFiles[0].text;

const page = `<!doctype html><meta charset="utf-8"><title>mls bench</title>
<script type="module" src="/bench/js/mls_bench.mjs${query ? `?${query}` : ''}"></script>`;
const served = /^\/(web\/sdk|tests\/js|bench\/js)\/[A-Za-z0-9_.-]+\.(m?js)$/;
const server = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://127.0.0.1');
  if (url.pathname === '/') {
    res.writeHead(200, { 'content-type': 'text/html' }).end(page);
  } else if (url.pathname === '/favicon.ico') {
    res.writeHead(204).end();
  } else if (url.pathname === '/tests/js/mls_tsmls.mjs') {
    res.writeHead(200, { 'content-type': 'text/javascript' }).end(tsmlsBundle);
  } else if (served.test(url.pathname)) {
    try {
      res.writeHead(200, { 'content-type': 'text/javascript' }).end(readFileSync(path.join(root, url.pathname)));
    } catch {
      res.writeHead(404).end();
    }
  } else {
    res.writeHead(404).end();
  }
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const origin = `http://127.0.0.1:${server.address().port}`;

const home = mkdtempSync(path.join(tmpdir(), 'aegis-mls-bench-'));
const browser = await chromium.launch({
  executablePath: process.env.AEGIS_CHROMIUM || '/usr/bin/chromium', headless: true,
  args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  env: { ...process.env, HOME: home },
});
try {
  const tab = await browser.newPage();
  tab.on('console', (msg) => console.log(msg.text()));
  tab.on('pageerror', (e) => { console.error(`page error: ${e.message}`); process.exitCode = 1; });
  await tab.goto(origin);
  await tab.waitForFunction(() => globalThis.mlsBenchDone === true, null, { timeout: 600_000, polling: 500 });
} finally {
  await browser.close();
  server.close();
  rmSync(home, { recursive: true, force: true });
}

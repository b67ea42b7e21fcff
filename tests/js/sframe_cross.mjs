// Cross test of the two SFrame implementations: frames encrypted by the C++
// library (aegis-sframe, path in AEGIS_SFRAME_CLI) decrypt with the
// browser SDK's sframe.js, and frames from sframe.js decrypt in C++. Every
// cipher suite, several sizes, with and without metadata, KIDs and CTRs of
// every header length. A tampered frame must fail on both sides.
// Run: AEGIS_SFRAME_CLI=build/src/sframe/aegis-sframe node --test tests/js/sframe_cross.mjs
// (CTest runs it as js_sframe_cross_test.) Not a *.test.mjs: it needs the binary.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { webcrypto } from 'node:crypto';

globalThis.crypto ??= webcrypto;
const { SframeSender, SframeReceiver } = await import('../../web/sdk/sframe.js');

const cli = process.env.AEGIS_SFRAME_CLI;
const hex = (s) => Uint8Array.from(Buffer.from(s, 'hex'));
const toHex = (bytes) => Buffer.from(bytes).toString('hex');
const random = (n) => crypto.getRandomValues(new Uint8Array(n));

function runCli(args) {
  return execFileSync(cli, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

const kCases = [];
for (const suite of [1, 2, 3, 4, 5]) {
  for (const [kid, ctr, size, metadata] of [
    [0n, 0n, 0, 0], [7n, 3n, 1, 0], [8n, 9n, 5, 4], [300n, 255n, 1200, 0], [0xfffffffen, 1000n, 30000, 16],
  ]) {
    kCases.push({ suite, kid, ctr, size, metadata });
  }
}

test('the C++ CLI is there (AEGIS_SFRAME_CLI)', () => {
  assert.ok(cli, 'AEGIS_SFRAME_CLI is not set: this test needs the aegis-sframe binary');
  assert.ok(existsSync(cli), `no aegis-sframe at ${cli}`);
});

test('frames encrypted in C++ decrypt in JS, and not when tampered', async () => {
  let checked = 0;
  for (const c of kCases) {
    const key = random(c.suite === 5 ? 32 : 16);
    const plaintext = random(c.size);
    const metadata = random(c.metadata);
    const frameHex = runCli(['encrypt', '--suite', String(c.suite), '--key', toHex(key), '--kid', String(c.kid),
      '--ctr', String(c.ctr), '--metadata', toHex(metadata), '--plaintext', toHex(plaintext)]);
    const receiver = new SframeReceiver(c.suite);
    await receiver.addKey(c.kid, key);
    const out = await receiver.decrypt(hex(frameHex), metadata);
    assert.equal(toHex(out), toHex(plaintext), `suite ${c.suite} kid ${c.kid} size ${c.size}`);
    const tampered = hex(frameHex);
    tampered[tampered.length - 1] ^= 1;
    const fresh = new SframeReceiver(c.suite);
    await fresh.addKey(c.kid, key);
    await assert.rejects(fresh.decrypt(tampered, metadata), `tampered frame accepted: suite ${c.suite}`);
    checked++;
  }
  assert.equal(checked, 25);
});

test('frames encrypted in JS decrypt in C++, and not with another key', async () => {
  let checked = 0;
  for (const c of kCases) {
    const key = random(c.suite === 5 ? 32 : 16);
    const plaintext = random(c.size);
    const metadata = random(c.metadata);
    const sender = await SframeSender.create(c.suite, c.kid, key, { counter: c.ctr });
    const frame = await sender.encrypt(plaintext, metadata);
    const out = runCli(['decrypt', '--suite', String(c.suite), '--key', toHex(key), '--metadata', toHex(metadata),
      '--frame', toHex(frame)]);
    assert.equal(out, toHex(plaintext), `suite ${c.suite} kid ${c.kid} size ${c.size}`);
    const other = random(key.length);
    assert.throws(() => runCli(['decrypt', '--suite', String(c.suite), '--key', toHex(other), '--metadata',
      toHex(metadata), '--frame', toHex(frame)]), `wrong key accepted: suite ${c.suite}`);
    checked++;
  }
  assert.equal(checked, 25);
});

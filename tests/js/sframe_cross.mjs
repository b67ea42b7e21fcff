// Cross test of the two SFrame implementations: frames encrypted by the C++
// library (aegis-sframe, path in AEGIS_SFRAME_CLI) decrypt with the
// browser SDK's sframe.js, and frames from sframe.js decrypt in C++. Every
// cipher suite, several sizes, with and without metadata, KIDs and CTRs of
// every header length. SFrame is deterministic (the nonce comes from the
// key and the CTR), so both sides must also produce the very same frame
// from the same input. A tampered frame, other metadata or another key
// must be refused by both sides.
// Run: AEGIS_SFRAME_CLI=build/src/sframe/aegis-sframe node --test tests/js/sframe_cross.mjs
// (CTest runs it as js_sframe_cross_test.) Not a *.test.mjs: it needs the binary.
//
// Every count below is of what the other implementation returned (a
// plaintext equal to ours, a refusal of the right kind), never of loop
// iterations, so a side that returns wrong bytes, accepts a bad frame or
// fails for an unrelated reason makes it fail.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { webcrypto } from 'node:crypto';

globalThis.crypto ??= webcrypto;
const { SframeSender, SframeReceiver, SframeAuthError, decodeHeader } = await import('../../web/sdk/sframe.js');

const cli = process.env.AEGIS_SFRAME_CLI;
const hex = (s) => Uint8Array.from(Buffer.from(s, 'hex'));
const toHex = (bytes) => Buffer.from(bytes).toString('hex');
const random = (n) => crypto.getRandomValues(new Uint8Array(n));

// The CLI's outcome: { status, stdout, stderr }. It exits 0 with the result
// in hex, 1 when a frame does not decrypt, 2 on bad usage (aegis-sframe.cc).
function runCli(args) {
  const r = spawnSync(cli, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 24 });
  if (r.error) throw r.error;
  return { status: r.status, signal: r.signal, stdout: r.stdout.trim(), stderr: r.stderr.trim() };
}

function cppEncrypt(c, key, plaintext, metadata) {
  const r = runCli(['encrypt', '--suite', String(c.suite), '--key', toHex(key), '--kid', String(c.kid),
    '--ctr', String(c.ctr), '--metadata', toHex(metadata), '--plaintext', toHex(plaintext)]);
  assert.equal(r.status, 0, `C++ encrypt failed: ${r.stderr}`);
  assert.match(r.stdout, /^([0-9a-f]{2})+$/, 'C++ encrypt printed no frame in hex');
  return hex(r.stdout);
}

const cppDecrypt = (suite, key, metadata, frame) =>
  runCli(['decrypt', '--suite', String(suite), '--key', toHex(key), '--metadata', toHex(metadata), '--frame', toHex(frame)]);

// A refusal by the C++ side: exit 1 with its "decrypt failed" reason, no
// plaintext (not a crash, nor a usage error that would refuse anything).
const cppRefused = (r) => r.status === 1 && r.signal === null && r.stdout === '' && /decrypt failed/.test(r.stderr);

// A refusal by the JS side: an SframeAuthError (not a parse error, an
// unknown KID or a TypeError that would refuse anything).
async function jsRefused(c, key, frame, metadata) {
  const receiver = new SframeReceiver(c.suite);
  await receiver.addKey(c.kid, key);
  try {
    await receiver.decrypt(frame, metadata);
    return false;
  } catch (e) {
    return e instanceof SframeAuthError;
  }
}

const tamper = (frame) => {
  const out = Uint8Array.from(frame);
  out[out.length - 1] ^= 1;  // the tag's last byte
  return out;
};
// Other metadata than the frame was sealed with: one bit flipped, or one
// byte where there was none.
const otherMetadata = (metadata) => {
  if (metadata.length === 0) return Uint8Array.of(0);
  const out = Uint8Array.from(metadata);
  out[0] ^= 0x80;
  return out;
};

const kCases = [];
for (const suite of [1, 2, 3, 4, 5]) {
  for (const [kid, ctr, size, metadata] of [
    [0n, 0n, 0, 0], [7n, 3n, 1, 0], [8n, 9n, 5, 4], [300n, 255n, 1200, 0], [0xfffffffen, 1000n, 30000, 16],
  ]) {
    kCases.push({ suite, kid, ctr, size, metadata });
  }
}
const describe = (c) => `suite ${c.suite} kid ${c.kid} ctr ${c.ctr} size ${c.size} metadata ${c.metadata}`;

test('the C++ CLI is there (AEGIS_SFRAME_CLI)', () => {
  assert.ok(cli, 'AEGIS_SFRAME_CLI is not set: this test needs the aegis-sframe binary');
  assert.ok(existsSync(cli), `no aegis-sframe at ${cli}`);
});

test('frames encrypted in C++ decrypt in JS, equal the frames JS makes, and are refused when tampered', async () => {
  const decryptedByJs = [];
  const sameFrame = [];
  const refusedTamperedByJs = [];
  const refusedOtherMetadataByJs = [];
  for (const c of kCases) {
    const key = random(c.suite === 5 ? 32 : 16);
    const plaintext = random(c.size);
    const metadata = random(c.metadata);
    const frame = cppEncrypt(c, key, plaintext, metadata);
    // The header says what was asked for (read by the JS parser).
    const header = decodeHeader(frame);
    assert.deepEqual([header.kid, header.ctr], [c.kid, c.ctr], `C++ header: ${describe(c)}`);
    assert.equal(frame.length > header.headerLength + c.size, true, `C++ frame has no tag: ${describe(c)}`);
    const receiver = new SframeReceiver(c.suite);
    await receiver.addKey(c.kid, key);
    const out = await receiver.decrypt(frame, metadata);
    if (toHex(out) === toHex(plaintext)) decryptedByJs.push(describe(c));
    const sender = await SframeSender.create(c.suite, c.kid, key, { counter: c.ctr });
    if (toHex(await sender.encrypt(plaintext, metadata)) === toHex(frame)) sameFrame.push(describe(c));
    if (await jsRefused(c, key, tamper(frame), metadata)) refusedTamperedByJs.push(describe(c));
    if (await jsRefused(c, key, frame, otherMetadata(metadata))) refusedOtherMetadataByJs.push(describe(c));
  }
  const all = kCases.map(describe);
  assert.deepEqual(decryptedByJs, all, 'C++ frames JS decrypted to the plaintext C++ encrypted');
  assert.deepEqual(sameFrame, all, 'C++ frames byte-equal to the JS frames from the same input');
  assert.deepEqual(refusedTamperedByJs, all, 'tampered C++ frames JS refused (authentication)');
  assert.deepEqual(refusedOtherMetadataByJs, all, 'C++ frames JS refused with other metadata');
});

test('frames encrypted in JS decrypt in C++, and are refused when tampered, with other metadata or another key', async () => {
  const decryptedByCpp = [];
  const refusedTamperedByCpp = [];
  const refusedOtherMetadataByCpp = [];
  const refusedOtherKeyByCpp = [];
  for (const c of kCases) {
    const key = random(c.suite === 5 ? 32 : 16);
    const plaintext = random(c.size);
    const metadata = random(c.metadata);
    const sender = await SframeSender.create(c.suite, c.kid, key, { counter: c.ctr });
    const frame = await sender.encrypt(plaintext, metadata);
    const header = decodeHeader(frame);
    assert.deepEqual([header.kid, header.ctr], [c.kid, c.ctr], `JS header: ${describe(c)}`);
    const out = cppDecrypt(c.suite, key, metadata, frame);
    assert.equal(out.status, 0, `C++ did not decrypt a JS frame (${describe(c)}): ${out.stderr}`);
    if (out.stdout === toHex(plaintext)) decryptedByCpp.push(describe(c));
    if (cppRefused(cppDecrypt(c.suite, key, metadata, tamper(frame)))) refusedTamperedByCpp.push(describe(c));
    if (cppRefused(cppDecrypt(c.suite, key, otherMetadata(metadata), frame))) refusedOtherMetadataByCpp.push(describe(c));
    if (cppRefused(cppDecrypt(c.suite, random(key.length), metadata, frame))) refusedOtherKeyByCpp.push(describe(c));
  }
  const all = kCases.map(describe);
  assert.deepEqual(decryptedByCpp, all, 'JS frames C++ decrypted to the plaintext JS encrypted');
  assert.deepEqual(refusedTamperedByCpp, all, 'tampered JS frames C++ refused');
  assert.deepEqual(refusedOtherMetadataByCpp, all, 'JS frames C++ refused with other metadata');
  assert.deepEqual(refusedOtherKeyByCpp, all, 'JS frames C++ refused with another key');
});

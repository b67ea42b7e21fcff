// Tests for web/sdk/sframe.js: every RFC 9605 vector, then inputs it must refuse.
// Run: node --test tests/js/
//
// Vectors: testdata/sframe_test-vectors_rfc9605-era_025d568.json, a copy of
// sframe-wg/sframe test-vectors/test-vectors.json at commit 025d568 (the one
// RFC 9605 cites; testdata/README.md names it): 289 header, 3 AES-CTR-HMAC and
// 5 full SFrame vectors (suites 1-5).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { webcrypto } from 'node:crypto';

// Node 18 has WebCrypto but puts it on globalThis only from Node 19 on; the
// module (like a browser Worker) expects it there, so set it before loading.
globalThis.crypto ??= webcrypto;
const {
  CipherSuite, SframeSender, SframeReceiver, SframeError, SframeParseError, SframeUnknownKidError,
  SframeAuthError, SframeReplayError, SframeCounterExhaustedError, encodeHeader, decodeHeader,
  deriveKeyAndSalt, makeNonce, importAead, splitCtrHmacKey, sframeKeyLabel, sframeSaltLabel,
} = await import('../../web/sdk/sframe.js');

const kVectorFile = new URL('../../testdata/sframe_test-vectors_rfc9605-era_025d568.json', import.meta.url);
const kExpectedVectors = { header: 289, aes_ctr_hmac: 3, sframe: 5 };
const kExpectedTotal = 297;  // issue 5
const kAllSuites = [1, 2, 3, 4, 5];
const kTagLength = { 1: 10, 2: 8, 3: 4, 4: 16, 5: 16 };
const kMaxU64 = (1n << 64n) - 1n;

// KID and CTR go up to 2^64 - 1, beyond what a JSON number keeps exactly:
// quote them before parsing and read them as BigInt.
function loadVectors() {
  const text = readFileSync(kVectorFile, 'utf8').replace(/"(kid|ctr)"\s*:\s*(\d+)/g, '"$1": "$2"');
  return JSON.parse(text, (key, value) => (key === 'kid' || key === 'ctr' ? BigInt(value) : value));
}

const hex = (s) => Uint8Array.from(Buffer.from(s, 'hex'));
const toHex = (bytes) => Buffer.from(bytes).toString('hex');
const randomBytes = (n) => crypto.getRandomValues(new Uint8Array(n));

const vectors = loadVectors();
let vectorsPassed = 0;

// ------------------------------------------------------------ RFC 9605 vectors

test('vector file holds the expected number of vectors', () => {
  for (const [kind, count] of Object.entries(kExpectedVectors)) assert.equal(vectors[kind].length, count, kind);
  const total = Object.keys(kExpectedVectors).reduce((sum, kind) => sum + vectors[kind].length, 0);
  assert.equal(total, kExpectedTotal);
});

for (const v of vectors.header) {
  test(`header vector kid=${v.kid} ctr=${v.ctr}`, () => {
    assert.equal(toHex(encodeHeader(v.kid, v.ctr)), v.encoded);
    const encoded = hex(v.encoded);
    assert.deepEqual(decodeHeader(encoded), { kid: v.kid, ctr: v.ctr, headerLength: encoded.length });
    // A header is followed by ciphertext: trailing bytes must not change the parse.
    const withPayload = Uint8Array.from([...encoded, 0xaa, 0xbb]);
    assert.deepEqual(decodeHeader(withPayload), { kid: v.kid, ctr: v.ctr, headerLength: encoded.length });
    vectorsPassed++;
  });
}

for (const [i, v] of vectors.aes_ctr_hmac.entries()) {
  test(`AES-CTR-HMAC vector ${i} (suite ${v.cipher_suite})`, async () => {
    const { encKey, authKey } = splitCtrHmacKey(v.cipher_suite, hex(v.key));
    assert.equal(toHex(encKey), v.enc_key);
    assert.equal(toHex(authKey), v.auth_key);
    const sealer = await importAead(v.cipher_suite, hex(v.key), 'encrypt');
    assert.equal(toHex(await sealer.seal(hex(v.nonce), hex(v.aad), hex(v.pt))), v.ct);
    const opener = await importAead(v.cipher_suite, hex(v.key), 'decrypt');
    assert.equal(toHex(await opener.open(hex(v.nonce), hex(v.aad), hex(v.ct))), v.pt);
    vectorsPassed++;
  });
}

// HKDF-Extract with an empty salt: HMAC keyed with Nh zero bytes (the same
// key as an empty one, once HMAC pads it).
async function hkdfExtract(hash, hashLength, ikm) {
  const key = await crypto.subtle.importKey('raw', new Uint8Array(hashLength), { name: 'HMAC', hash }, false, ['sign']);
  return new Uint8Array(await crypto.subtle.sign('HMAC', key, ikm));
}

for (const v of vectors.sframe) {
  test(`SFrame vector suite ${v.cipher_suite}`, async () => {
    const suite = v.cipher_suite;
    const baseKey = hex(v.base_key);
    assert.equal(toHex(sframeKeyLabel(suite, v.kid)), v.sframe_key_label);
    assert.equal(toHex(sframeSaltLabel(suite, v.kid)), v.sframe_salt_label);
    const [hash, hashLength] = suite === 5 ? ['SHA-512', 64] : ['SHA-256', 32];
    assert.equal(toHex(await hkdfExtract(hash, hashLength, baseKey)), v.sframe_secret);
    const { key, salt } = await deriveKeyAndSalt(suite, v.kid, baseKey);
    assert.equal(toHex(key), v.sframe_key);
    assert.equal(toHex(salt), v.sframe_salt);
    assert.equal(toHex(makeNonce(salt, v.ctr)), v.nonce);
    assert.equal(toHex(encodeHeader(v.kid, v.ctr)) + v.metadata, v.aad);

    // The full path, from the base key, through the public classes.
    const sender = await SframeSender.create(suite, v.kid, baseKey, { counter: v.ctr });
    assert.equal(toHex(await sender.encrypt(hex(v.pt), hex(v.metadata))), v.ct);
    assert.equal(sender.counter, v.ctr + 1n);
    const receiver = new SframeReceiver(suite);
    await receiver.addKey(v.kid, baseKey);
    assert.equal(toHex(await receiver.decrypt(hex(v.ct), hex(v.metadata))), v.pt);
    assert.equal(receiver.stats.decrypted, 1);
    vectorsPassed++;
  });
}

test(`all ${kExpectedTotal} vectors passed`, () => {
  assert.equal(vectorsPassed, kExpectedTotal);
});

// ------------------------------------------------------------ header: bad input

test('header: empty and truncated input is refused', () => {
  const truncated = [
    [],                      // no config byte
    [0x80],                  // 1-byte KID missing
    [0xf0, 1, 2, 3, 4, 5, 6, 7],  // 8-byte KID, 7 present
    [0x08],                  // 1-byte CTR missing
    [0x8b, 0x10, 0x01, 0x02, 0x03],  // KID ok, 4-byte CTR with 3
  ];
  for (const bytes of truncated) {
    assert.throws(() => decodeHeader(Uint8Array.from(bytes)), SframeParseError, JSON.stringify(bytes));
  }
});

test('header: non-minimal encodings are refused', () => {
  const nonMinimal = [
    [0x80, 0x07],            // KID 7 belongs in the config byte
    [0x08, 0x00],            // CTR 0 likewise
    [0x90, 0x00, 0xff],      // 2-byte KID with a leading zero byte
    [0x09, 0x00, 0x08],      // 2-byte CTR with a leading zero byte
    [0xf0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],  // 8-byte KID fitting in 7
  ];
  for (const bytes of nonMinimal) {
    assert.throws(() => decodeHeader(Uint8Array.from(bytes)), /non-minimal/, JSON.stringify(bytes));
  }
  // Every length 2..8 with a zero first byte, for both fields.
  for (let length = 2; length <= 8; length++) {
    const field = [0, ...new Array(length - 1).fill(0xff)];
    assert.throws(() => decodeHeader(Uint8Array.from([0x80 | ((length - 1) << 4), ...field])), SframeParseError);
    assert.throws(() => decodeHeader(Uint8Array.from([0x08 | (length - 1), ...field])), SframeParseError);
  }
});

test('header: values outside [0, 2^64) are refused when encoding', () => {
  assert.throws(() => encodeHeader(-1, 0), RangeError);
  assert.throws(() => encodeHeader(0, kMaxU64 + 1n), RangeError);
  assert.throws(() => encodeHeader(1.5, 0), RangeError);
  assert.throws(() => encodeHeader(2 ** 53, 0), RangeError);  // not a safe integer: pass a bigint
  assert.equal(toHex(encodeHeader(kMaxU64, kMaxU64)), 'ff' + 'ff'.repeat(16));
});

// ------------------------------------------------------------ round trips

async function pair(suite, kid = 5n, options = {}) {
  const baseKey = randomBytes(16);
  const sender = await SframeSender.create(suite, kid, baseKey);
  const receiver = new SframeReceiver(suite, options);
  await receiver.addKey(kid, baseKey);
  return { baseKey, sender, receiver };
}

for (const suite of kAllSuites) {
  test(`suite ${suite}: round trip of empty, small and 30 KB frames`, async () => {
    const { sender, receiver } = await pair(suite, 300n);
    for (const size of [0, 1, 1200, 30_000]) {
      const plaintext = randomBytes(size);
      const metadata = randomBytes(size % 7);
      const frame = await sender.encrypt(plaintext, metadata);
      assert.equal(frame.length, encodeHeader(300n, sender.counter - 1n).length + size + kTagLength[suite]);
      assert.equal(frame.byteOffset, 0);
      assert.equal(frame.buffer.byteLength, frame.length);  // usable as an encoded frame's data
      assert.deepEqual(await receiver.decrypt(frame.buffer, metadata), plaintext);
    }
    assert.deepEqual(receiver.stats, { decrypted: 4, failed: 0, malformed: 0, unknownKid: 0, authFailed: 0, replayed: 0 });
  });
}

test('a CryptoKey (HKDF, non-extractable) works as base key', async () => {
  const raw = randomBytes(32);
  const hkdfKey = await crypto.subtle.importKey('raw', raw, 'HKDF', false, ['deriveBits', 'deriveKey']);
  const sender = await SframeSender.create(CipherSuite.AES_128_GCM_SHA256_128, 1, hkdfKey);
  const receiver = new SframeReceiver();
  await receiver.addKey(1, raw);
  assert.deepEqual(await receiver.decrypt(await sender.encrypt(Uint8Array.of(1, 2, 3))), Uint8Array.of(1, 2, 3));
});

// ------------------------------------------------------------ decrypt: bad input

for (const suite of kAllSuites) {
  test(`suite ${suite}: any flipped bit, wrong metadata or wrong key fails authentication`, async () => {
    const { sender, receiver } = await pair(suite, 9n, { replayWindow: 0 });
    const metadata = Uint8Array.of(1, 2, 3);
    const frame = await sender.encrypt(randomBytes(40), metadata);
    const headerLength = decodeHeader(frame).headerLength;
    // Every byte after the header: ciphertext and tag.
    for (let i = headerLength; i < frame.length; i++) {
      const bad = frame.slice();
      bad[i] ^= 0x01;
      await assert.rejects(receiver.decrypt(bad, metadata), SframeAuthError, `byte ${i}`);
    }
    // A header changed to another CTR of the same KID (the AAD and nonce change).
    const other = Uint8Array.from([...encodeHeader(9n, 1n), ...frame.subarray(headerLength)]);
    await assert.rejects(receiver.decrypt(other, metadata), SframeAuthError);
    await assert.rejects(receiver.decrypt(frame, Uint8Array.of(1, 2, 4)), SframeAuthError);
    await assert.rejects(receiver.decrypt(frame), SframeAuthError);

    const stranger = new SframeReceiver(suite);
    await stranger.addKey(9n, randomBytes(16));
    await assert.rejects(stranger.decrypt(frame, metadata), SframeAuthError);

    const failures = frame.length - headerLength + 3;
    assert.deepEqual(receiver.stats, {
      decrypted: 0, failed: failures, malformed: 0, unknownKid: 0, authFailed: failures, replayed: 0,
    });
    assert.deepEqual(await receiver.decrypt(frame, metadata).then((p) => p.length), 40);
  });
}

test('a frame shorter than header + tag is malformed, and counted', async () => {
  const { sender, receiver } = await pair(CipherSuite.AES_128_CTR_HMAC_SHA256_80);
  const frame = await sender.encrypt(new Uint8Array(0));  // header (1 byte) + 10-byte tag
  for (const length of [0, 1, 5, frame.length - 1]) {
    await assert.rejects(receiver.decrypt(frame.subarray(0, length)), SframeParseError, `length ${length}`);
  }
  await assert.rejects(receiver.decrypt(Uint8Array.of(0x80, 0x05)), SframeParseError);  // non-minimal
  assert.equal(receiver.stats.malformed, 5);
  assert.equal(receiver.stats.failed, 5);
  assert.equal((await receiver.decrypt(frame)).length, 0);
});

test('unknown KID: typed error carrying the KID, counted; removeKey makes a KID unknown', async () => {
  const { sender, receiver } = await pair(CipherSuite.AES_128_GCM_SHA256_128, 1234n);
  const otherSender = await SframeSender.create(CipherSuite.AES_128_GCM_SHA256_128, 77n, randomBytes(16));
  const error = await receiver.decrypt(await otherSender.encrypt(randomBytes(10))).catch((e) => e);
  assert.ok(error instanceof SframeUnknownKidError && error instanceof SframeError);
  assert.equal(error.code, 'unknown_kid');
  assert.equal(error.kid, 77n);

  const frame = await sender.encrypt(randomBytes(10));
  assert.equal(receiver.removeKey(1234n), true);
  assert.equal(receiver.hasKey(1234n), false);
  await assert.rejects(receiver.decrypt(frame), SframeUnknownKidError);
  assert.equal(receiver.removeKey(1234n), false);
  assert.deepEqual(receiver.stats, { decrypted: 0, failed: 2, malformed: 0, unknownKid: 2, authFailed: 0, replayed: 0 });
});

test('a removeKey during an in-flight decrypt refuses that frame', async () => {
  const { sender, receiver } = await pair(CipherSuite.AES_128_GCM_SHA256_128, 3n);
  const frame = await sender.encrypt(randomBytes(1000));
  const pending = receiver.decrypt(frame);
  receiver.removeKey(3n);
  await assert.rejects(pending, SframeUnknownKidError);
});

test('a removeKey during addKey wins; a later addKey wins over an earlier one', async () => {
  const receiver = new SframeReceiver();
  const adding = receiver.addKey(8n, randomBytes(16));
  receiver.removeKey(8n);
  await adding;
  assert.equal(receiver.hasKey(8n), false);

  const oldKey = randomBytes(16);
  const newKey = randomBytes(16);
  await Promise.all([receiver.addKey(8n, oldKey), receiver.addKey(8n, newKey)]);
  const sender = await SframeSender.create(CipherSuite.AES_128_GCM_SHA256_128, 8n, newKey);
  assert.equal((await receiver.decrypt(await sender.encrypt(randomBytes(4)))).length, 4);
});

// ------------------------------------------------------------ counters: never reused

test('concurrent encrypt() calls get distinct, consecutive CTRs', async () => {
  const { sender } = await pair(CipherSuite.AES_128_GCM_SHA256_128, 2n);
  const frames = await Promise.all(Array.from({ length: 100 }, () => sender.encrypt(randomBytes(20))));
  const ctrs = frames.map((f) => decodeHeader(f).ctr);
  assert.deepEqual([...ctrs].sort((a, b) => (a < b ? -1 : 1)), Array.from({ length: 100 }, (_, i) => BigInt(i)));
  assert.equal(sender.counter, 100n);
});

test('the sender refuses to encrypt once CTR 2^64 - 1 was used', async () => {
  const baseKey = randomBytes(16);
  const sender = await SframeSender.create(CipherSuite.AES_128_GCM_SHA256_128, 1, baseKey, { counter: kMaxU64 - 1n });
  const receiver = new SframeReceiver();
  await receiver.addKey(1, baseKey);
  for (const ctr of [kMaxU64 - 1n, kMaxU64]) {
    const frame = await sender.encrypt(Uint8Array.of(7));
    assert.equal(decodeHeader(frame).ctr, ctr);
    assert.deepEqual(await receiver.decrypt(frame), Uint8Array.of(7));
  }
  for (let i = 0; i < 2; i++) {
    const error = await sender.encrypt(Uint8Array.of(7)).catch((e) => e);
    assert.ok(error instanceof SframeCounterExhaustedError);
    assert.equal(error.code, 'counter_exhausted');
  }
  assert.equal(sender.counter, kMaxU64 + 1n);
  await assert.rejects(SframeSender.create(4, 1, baseKey, { counter: kMaxU64 + 1n }), RangeError);
});

test('the receiver refuses a replayed CTR, also when both copies race', async () => {
  const { sender, receiver } = await pair(CipherSuite.AES_128_CTR_HMAC_SHA256_32, 6n);
  const frame = await sender.encrypt(randomBytes(100));
  await receiver.decrypt(frame);
  await assert.rejects(receiver.decrypt(frame), SframeReplayError);

  const next = await sender.encrypt(randomBytes(100));
  const results = await Promise.allSettled([receiver.decrypt(next), receiver.decrypt(next)]);
  assert.deepEqual(results.map((r) => r.status).sort(), ['fulfilled', 'rejected']);
  assert.ok(results.find((r) => r.status === 'rejected').reason instanceof SframeReplayError);
  assert.deepEqual(receiver.stats, { decrypted: 2, failed: 2, malformed: 0, unknownKid: 0, authFailed: 0, replayed: 2 });
});

test('replay window: reordering inside it is accepted, older frames are refused', async () => {
  const { sender, receiver } = await pair(CipherSuite.AES_128_GCM_SHA256_128, 4n, { replayWindow: 8 });
  const frames = [];
  for (let i = 0; i < 20; i++) frames.push(await sender.encrypt(Uint8Array.of(i)));
  await receiver.decrypt(frames[5]);
  await receiver.decrypt(frames[3]);   // late but inside the window
  await receiver.decrypt(frames[12]);  // a gap (lost frames or another layer)
  await receiver.decrypt(frames[6]);   // 12 - 6 < 8: still inside
  await assert.rejects(receiver.decrypt(frames[4]), /older than the replay window/);
  await assert.rejects(receiver.decrypt(frames[6]), /already received/);
  await receiver.decrypt(frames[19]);  // the window moves; slots of 12..18 are reused cleanly
  await receiver.decrypt(frames[13]);
  await assert.rejects(receiver.decrypt(frames[12]), SframeReplayError);
  // A forged frame must not move the window.
  const forged = frames[18].slice();
  forged[forged.length - 1] ^= 1;
  await assert.rejects(receiver.decrypt(forged), SframeAuthError);
  await receiver.decrypt(frames[18]);
  // replayWindow: 0 turns the check off.
  const lenient = new SframeReceiver(4, { replayWindow: 0 });
  await lenient.addKey(4n, (await pair(4)).baseKey);
});

test('a replaced key starts a fresh replay window', async () => {
  const receiver = new SframeReceiver();
  for (let round = 0; round < 2; round++) {
    const baseKey = randomBytes(16);
    await receiver.addKey(1n, baseKey);
    const sender = await SframeSender.create(CipherSuite.AES_128_GCM_SHA256_128, 1n, baseKey);
    await receiver.decrypt(await sender.encrypt(Uint8Array.of(round)));  // CTR 0 both times
  }
  assert.equal(receiver.stats.decrypted, 2);
});

// ------------------------------------------------------------ configuration errors

test('unsupported suites, short base keys and bad types are refused', async () => {
  for (const suite of [0, 6, 0xf000]) {
    await assert.rejects(SframeSender.create(suite, 1, randomBytes(16)), (e) => e.code === 'unsupported_suite');
    assert.throws(() => new SframeReceiver(suite), SframeError);
  }
  await assert.rejects(SframeSender.create(4, 1, randomBytes(15)), RangeError);
  await assert.rejects(SframeSender.create(4, 1, 'passphrase'), TypeError);
  const aesKey = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 128 }, false, ['encrypt']);
  await assert.rejects(SframeSender.create(4, 1, aesKey), TypeError);
  assert.throws(() => new SframeSender(), TypeError);
  const { sender } = await pair(4);
  await assert.rejects(sender.encrypt('text'), TypeError);
  assert.equal(sender.counter, 0n);  // a refused input spends no CTR
});

test('the module needs nothing but globalThis.crypto (Worker-safe)', () => {
  // Comments are dropped first: they may well mention a "window".
  const source = readFileSync(new URL('../../web/sdk/sframe.js', import.meta.url), 'utf8')
    .replace(/\/\/.*$/gm, '');
  assert.doesNotMatch(source, /^\s*import\s/m);
  assert.doesNotMatch(source, /\b(window|document|process|Buffer)\.|\brequire\(/);
});

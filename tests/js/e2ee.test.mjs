// Tests for the E2EE key management modules (web/sdk/e2ee_*.js), against
// docs/e2ee.md. Run: node --test tests/js/
//
// Workers and encoded transforms do not exist in Node: this covers the pure
// parts (identity, sealing, key schedule, keyring, SAS, frame lanes, the
// manager's state machine with a stand-in room and worker, the status rule).
// Where the design fixes bytes (KID, ratchet, seal key and AAD, SAS), the
// expected values are recomputed here with node:crypto, independently of
// the WebCrypto code under test.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import nodeCrypto, { webcrypto } from 'node:crypto';
import { readFileSync } from 'node:fs';

globalThis.crypto ??= webcrypto;
const { generateIdentity, importIdentityPublicKey, base64UrlEncode, base64UrlDecode } =
  await import('../../web/sdk/e2ee_identity.js');
const { sealSenderKey, openSenderKey, encodeKeyPayload, decodeKeyPayload, SealError, BLOB_BYTES, PAYLOAD_BYTES } =
  await import('../../web/sdk/e2ee_seal.js');
const {
  deriveKid, ratchetKey, ratchetWindow, randomSenderKey, SenderKeyring, MAX_KEYS_PER_SENDER, OLD_KEY_GRACE_MS,
  RATCHET_WINDOW, SEEN_KIDS_PER_SENDER,
} = await import('../../web/sdk/e2ee_keyring.js');
const { computeSas, sasFromHash, SAS_EMOJI } = await import('../../web/sdk/e2ee_sas.js');
const { FrameEncryptor, FrameDecryptor, FrameError, laneOfCtr, KEYFRAME_CTR_START, OTHER_CTR_START } =
  await import('../../web/sdk/e2ee_frames.js');
const {
  E2eeManager, evaluateStatus, summarize, SEND_DELAY_MS, SWITCH_DELAY_MS, SWITCH_DEADLINE_MS, ROTATION_CHECK_MS,
  STATUS_INTERVAL_MS,
} = await import('../../web/sdk/e2ee_manager.js');
const { decodeHeader } = await import('../../web/sdk/sframe.js');

const hex = (bytes) => Buffer.from(bytes).toString('hex');
const fromHex = (s) => Uint8Array.from(Buffer.from(s, 'hex'));

// The design's HKDF, in node:crypto.
const nodeHkdf = (ikm, salt, info, length) => new Uint8Array(nodeCrypto.hkdfSync('sha256', ikm, salt, info, length));
const nodeKid = (key) => Buffer.from(nodeHkdf(key, Buffer.alloc(0), 'aegis-e2ee-v1 kid', 4)).readUInt32BE(0);
const nodeRatchet = (key) => nodeHkdf(key, Buffer.alloc(0), 'aegis-e2ee-v1 ratchet', 16);

// A manual clock for the keyring's grace.
function fakeClock(start = 1000) {
  const clock = { t: start, now: () => clock.t };
  return clock;
}

// ------------------------------------------------------------ identity

test('identity: P-256 pair, private key not extractable, public key 65 raw bytes', async () => {
  const id = await generateIdentity();
  assert.equal(id.publicRaw.length, 65);
  assert.equal(id.publicRaw[0], 0x04);
  assert.equal(id.privateKey.extractable, false);
  await assert.rejects(crypto.subtle.exportKey('pkcs8', id.privateKey));
  assert.deepEqual(id.privateKey.usages, ['deriveBits']);
  const imported = await importIdentityPublicKey(id.publicRaw);
  assert.equal(imported.algorithm.namedCurve, 'P-256');
});

test('identity: malformed public keys are refused', async () => {
  const id = await generateIdentity();
  const compressed = Uint8Array.from([0x02, ...id.publicRaw.subarray(1, 33)]);
  await assert.rejects(importIdentityPublicKey(compressed));
  await assert.rejects(importIdentityPublicKey(id.publicRaw.subarray(0, 64)));
  const offCurve = Uint8Array.from(id.publicRaw);
  offCurve[64] ^= 1;
  await assert.rejects(importIdentityPublicKey(offCurve));
});

test('base64url: canonical unpadded only', () => {
  const bytes = Uint8Array.from([0xfb, 0xff, 0x00, 0x10]);
  assert.equal(base64UrlEncode(bytes), '-_8AEA');
  assert.deepEqual(base64UrlDecode('-_8AEA'), bytes);
  for (const bad of ['-_8AEA==', '+/8AEA', '-_8AEB', 'A', 'ab c']) assert.throws(() => base64UrlDecode(bad), bad);
});

// ------------------------------------------------------------ key schedule

test('KID: deterministic, equals HKDF(K, "", "aegis-e2ee-v1 kid", 4) big-endian', async () => {
  const key = fromHex('000102030405060708090a0b0c0d0e0f');
  const kid = await deriveKid(key);
  assert.equal(kid, await deriveKid(Uint8Array.from(key)));
  assert.equal(kid, nodeKid(key));
  for (let i = 0; i < 20; i++) {
    const k = randomSenderKey();
    assert.equal(await deriveKid(k), nodeKid(k));
  }
  assert.notEqual(await deriveKid(randomSenderKey()), kid);
});

test('ratchet: equals HKDF(K, "", "aegis-e2ee-v1 ratchet", 16); the window lists 8 steps', async () => {
  const key = randomSenderKey();
  assert.equal(hex(await ratchetKey(key)), hex(nodeRatchet(key)));
  const window = await ratchetWindow(key);
  assert.equal(window.length, RATCHET_WINDOW);
  let k = key;
  for (const [i, w] of window.entries()) {
    k = nodeRatchet(k);
    assert.equal(w.step, i + 1);
    assert.equal(hex(w.key), hex(k));
    assert.equal(w.kid, nodeKid(k));
  }
});

// ------------------------------------------------------------ blob format

test('key payload: exact bytes (version, type, suite, kid, flags, length, key)', () => {
  const key = fromHex('000102030405060708090a0b0c0d0e0f');
  const payload = encodeKeyPayload({ kid: 0x01020304, key, ratcheted: true });
  assert.equal(PAYLOAD_BYTES, 26);
  assert.equal(hex(payload), '01' + '01' + '0004' + '01020304' + '01' + '10' + '000102030405060708090a0b0c0d0e0f');
  assert.equal(hex(encodeKeyPayload({ kid: 0xfffffffe, key })).slice(0, 20), '01010004fffffffe0010');
  assert.deepEqual(decodeKeyPayload(payload), { suite: 4, kid: 0x01020304, ratcheted: true, key });
});

test('key payload: anything but the one known format is refused', () => {
  const good = encodeKeyPayload({ kid: 7, key: randomSenderKey() });
  const variants = {
    version: (p) => { p[0] = 2; }, type: (p) => { p[1] = 2; }, suite: (p) => { p[3] = 5; },
    flags: (p) => { p[8] = 0x02; }, keyLength: (p) => { p[9] = 32; },
  };
  for (const [name, change] of Object.entries(variants)) {
    const p = Uint8Array.from(good);
    change(p);
    assert.throws(() => decodeKeyPayload(p), SealError, name);
  }
  assert.throws(() => decodeKeyPayload(good.subarray(0, 25)), SealError);
  assert.throws(() => decodeKeyPayload(Uint8Array.from([...good, 0])), SealError);
});

// ------------------------------------------------------------ seal / open

async function sealFixture() {
  const alice = await generateIdentity();
  const bob = await generateIdentity();
  const carol = await generateIdentity();
  const pub = async (id) => importIdentityPublicKey(id.publicRaw);
  const key = randomSenderKey();
  const kid = await deriveKid(key);
  const blob = await sealSenderKey({
    privateKey: alice.privateKey, peerPublicKey: await pub(bob), room: 'room-1', from: 'alice', to: 'bob', kid, key,
  });
  const open = (overrides = {}) => openSenderKey({
    privateKey: bob.privateKey, peerPublicKey: alice.publicKey, room: 'room-1', from: 'alice', to: 'bob', blob, ...overrides,
  });
  return { alice, bob, carol, key, kid, blob, open, pub };
}

test('seal: round trip; blob = 0x01 || 12-byte nonce || ciphertext || tag, 55 bytes', async () => {
  const { key, kid, blob, open } = await sealFixture();
  assert.equal(blob.length, BLOB_BYTES);
  assert.equal(BLOB_BYTES, 1 + 12 + 26 + 16);
  assert.equal(blob[0], 0x01);
  const got = await open();
  assert.equal(got.kid, kid);
  assert.equal(hex(got.key), hex(key));
  assert.equal(got.ratcheted, false);
});

test('seal: the key, info and AAD are exactly the design\'s (opened with node:crypto)', async () => {
  // Node's ECDH needs the private scalar, which WebCrypto keeps inside: the
  // recipient here is a node:crypto key pair, the sender the module's.
  const alice = await generateIdentity();
  const ecdh = nodeCrypto.createECDH('prime256v1');
  ecdh.generateKeys();
  const bobRaw = new Uint8Array(ecdh.getPublicKey());
  const key = randomSenderKey();
  const kid = await deriveKid(key);
  const blob = await sealSenderKey({
    privateKey: alice.privateKey, peerPublicKey: await importIdentityPublicKey(bobRaw),
    room: 'R', from: 'p-1', to: 'p-2', kid, key, ratcheted: true,
  });
  const shared = ecdh.computeSecret(Buffer.from(alice.publicRaw));
  const sealKey = nodeHkdf(shared, Buffer.from('aegis-e2ee-v1'), Buffer.from('aegis-e2ee-v1 seal\0R\0p-1\0p-2'), 32);
  const decipher = nodeCrypto.createDecipheriv('aes-256-gcm', sealKey, blob.subarray(1, 13));
  decipher.setAAD(Buffer.from('aegis-e2ee-v1\0R\0p-1\0p-2'));
  decipher.setAuthTag(blob.subarray(blob.length - 16));
  const payload = Buffer.concat([decipher.update(blob.subarray(13, blob.length - 16)), decipher.final()]);
  assert.equal(payload.toString('hex'), hex(encodeKeyPayload({ kid, key, ratcheted: true })));
});

test('seal: refused for another room, sender, recipient, direction, or a tampered blob', async () => {
  const { alice, bob, carol, blob, open, pub } = await sealFixture();
  const expectRefused = async (what, overrides) => {
    await assert.rejects(open(overrides), (e) => e instanceof SealError && e.code === 'auth_failed', what);
  };
  await expectRefused('another room', { room: 'room-2' });
  await expectRefused('another claimed sender', { from: 'mallory' });
  await expectRefused('another recipient id', { to: 'carol' });
  await expectRefused('carol\'s private key', { privateKey: carol.privateKey });
  await expectRefused('another sender key', { peerPublicKey: await pub(carol) });
  // Reflected: alice opens what she sent as if bob had sent it to her.
  await expectRefused('reflected', { privateKey: alice.privateKey, peerPublicKey: bob.publicKey, from: 'bob', to: 'alice' });
  for (const at of [1, 7, 12, 13, 30, blob.length - 16, blob.length - 1]) {
    const tampered = Uint8Array.from(blob);
    tampered[at] ^= 0x01;
    await expectRefused(`byte ${at} flipped`, { blob: tampered });
  }
  const badVersion = Uint8Array.from(blob);
  badVersion[0] = 2;
  await assert.rejects(open({ blob: badVersion }), (e) => e.code === 'bad_blob');
  await assert.rejects(open({ blob: blob.subarray(0, 54) }), (e) => e.code === 'bad_blob');
  await assert.rejects(open({ room: 'a\0b' }), TypeError);
});

test('seal: a KID that does not belong to the key is refused after opening', async () => {
  const alice = await generateIdentity();
  const bob = await generateIdentity();
  const key = randomSenderKey();
  const blob = await sealSenderKey({
    privateKey: alice.privateKey, peerPublicKey: bob.publicKey, room: 'r', from: 'a', to: 'b',
    kid: ((await deriveKid(key)) + 1) >>> 0, key,
  });
  await assert.rejects(
    openSenderKey({ privateKey: bob.privateKey, peerPublicKey: alice.publicKey, room: 'r', from: 'a', to: 'b', blob }),
    (e) => e.code === 'kid_mismatch');
});

// ------------------------------------------------------------ keyring

test('keyring: a KID from the ratchet window promotes the key; beyond the window is unknown', async () => {
  const ring = new SenderKeyring();
  const k0 = randomSenderKey();
  assert.equal(await ring.add(await deriveKid(k0), k0), true);
  const steps = [k0];
  for (let i = 0; i < RATCHET_WINDOW + 1; i++) steps.push(nodeRatchet(steps.at(-1)));
  assert.equal(await ring.resolve(nodeKid(steps[RATCHET_WINDOW + 1])), null, 'step 9 is outside the window');
  const k3 = await ring.resolve(nodeKid(steps[3]));
  assert.equal(hex(k3), hex(steps[3]));
  assert.equal(ring.newestKid, nodeKid(steps[3]));
  assert.deepEqual(ring.liveKids, [nodeKid(k0), nodeKid(steps[3])]);
  // The window now runs from step 3: step 9 is reachable, and promotes.
  assert.equal(hex(await ring.resolve(nodeKid(steps[9]))), hex(steps[9]));
  assert.equal(ring.stats.promoted, 2);
});

test('keyring: a KID that does not match its key is refused', async () => {
  const ring = new SenderKeyring();
  const key = randomSenderKey();
  assert.equal(await ring.add(((await deriveKid(key)) ^ 1) >>> 0, key), false);
  assert.equal(ring.size, 0);
});

test('keyring: older keys live on for 2 s after a newer key first decrypts, then are wiped', async () => {
  const clock = fakeClock();
  const ring = new SenderKeyring({ now: clock.now });
  const k1 = randomSenderKey();
  const k2 = randomSenderKey();
  const kid1 = await deriveKid(k1);
  const kid2 = await deriveKid(k2);
  await ring.add(kid1, k1);
  ring.noteDecrypted(kid1);
  await ring.add(kid2, k2);
  clock.t += 10_000;
  assert.deepEqual(ring.expire(), [], 'nothing expires before the newer key is used');
  ring.noteDecrypted(kid2);
  clock.t += OLD_KEY_GRACE_MS - 1;
  assert.deepEqual(ring.expire(), []);
  assert.ok(await ring.resolve(kid1), 'the old key still decrypts in the grace');
  clock.t += 1;
  assert.deepEqual(ring.expire(), [kid1]);
  assert.equal(await ring.resolve(kid1), null);
  assert.ok(await ring.resolve(kid2));
});

test('keyring: at most 16 live keys per sender; unused superseded keys make room, else refused', async () => {
  const ring = new SenderKeyring();
  const kids = [];
  for (let i = 0; i < MAX_KEYS_PER_SENDER; i++) {
    const k = randomSenderKey();
    kids.push(await deriveKid(k));
    assert.equal(await ring.add(kids.at(-1), k), true);
  }
  // None used yet: the oldest unused one gives way.
  const extra = randomSenderKey();
  assert.equal(await ring.add(await deriveKid(extra), extra), true);
  assert.equal(ring.size, MAX_KEYS_PER_SENDER);
  assert.equal(ring.has(kids[0]), false);
  assert.equal(ring.stats.evicted, 1);
  // Every key in use: refused.
  for (const kid of ring.liveKids) ring.noteDecrypted(kid);
  const refused = randomSenderKey();
  assert.equal(await ring.add(await deriveKid(refused), refused), false);
  assert.equal(ring.size, MAX_KEYS_PER_SENDER);
});

test('keyring (M2): a replayed blob never reinstalls a wiped key nor makes an older key newest', async () => {
  const clock = fakeClock();
  const ring = new SenderKeyring({ now: clock.now });
  const k1 = randomSenderKey();
  const k2 = randomSenderKey();
  const kid1 = await deriveKid(k1);
  const kid2 = await deriveKid(k2);
  assert.equal(await ring.add(kid1, k1), true);
  ring.noteDecrypted(kid1);
  assert.equal(await ring.add(kid2, k2), true);
  // k1's blob again while k1 is still live: refused, k2 stays newest.
  assert.equal(await ring.add(kid1, k1), false);
  assert.equal(ring.newestKid, kid2);
  ring.noteDecrypted(kid2);
  clock.t += OLD_KEY_GRACE_MS;
  assert.deepEqual(ring.expire(), [kid1]);
  // After the wipe: refused, not reinstalled, not promoted.
  assert.equal(await ring.add(kid1, k1), false);
  assert.equal(ring.has(kid1), false);
  assert.equal(await ring.resolve(kid1), null);
  assert.equal(ring.newestKid, kid2);
  // The newest key's own blob again: refused as well, nothing moves.
  const addedAt = ring.newestAddedAt;
  clock.t += 100;
  assert.equal(await ring.add(kid2, k2), false);
  assert.equal(ring.newestAddedAt, addedAt);
  assert.equal(ring.stats.replayed, 3);
  assert.equal(ring.stats.added, 2);
});

test('keyring (M2): a blob for a key already promoted is taken once, in place; a wiped promoted key is not promoted again', async () => {
  const ring = new SenderKeyring();
  const k0 = randomSenderKey();
  await ring.add(await deriveKid(k0), k0);
  ring.noteDecrypted(await deriveKid(k0));
  const s3 = nodeRatchet(nodeRatchet(nodeRatchet(k0)));
  const kid3 = nodeKid(s3);
  assert.ok(await ring.resolve(kid3), 'promoted from the window');
  const fresh = randomSenderKey();
  await ring.add(await deriveKid(fresh), fresh);
  // The sender also sealed s3 to us (docs/e2ee.md §4: a ratcheted key resealed
  // to everyone); its frames came first. Same key: accepted, stays in place.
  assert.equal(await ring.add(kid3, s3), true);
  assert.equal(ring.newestKid, await deriveKid(fresh));
  assert.deepEqual(ring.liveKids, [nodeKid(k0), kid3, await deriveKid(fresh)]);
  assert.equal(await ring.add(kid3, s3), false, 'but only once');
  assert.equal(ring.stats.replayed, 1);
  // Fill the ring with unused keys: s3 (never decrypted, superseded) is
  // evicted while k0 (in use) stays live with s3 in its window.
  for (let i = 0; ring.has(kid3); i++) {
    assert.ok(i < MAX_KEYS_PER_SENDER, 's3 is evicted at the cap');
    const k = randomSenderKey();
    assert.equal(await ring.add(await deriveKid(k), k), true);
  }
  assert.ok(ring.has(nodeKid(k0)));
  assert.equal(await ring.resolve(kid3), null, 'a fresh SFrame context would forget its replay window');
});

test('keyring (M2): the memory of seen KIDs is bounded to the last 64 per sender', async () => {
  const ring = new SenderKeyring();
  const keys = [];
  for (let i = 0; i < SEEN_KIDS_PER_SENDER + 20; i++) {
    const key = randomSenderKey();
    keys.push({ key, kid: await deriveKid(key) });
    assert.equal(await ring.add(keys.at(-1).kid, key), true);
  }
  assert.equal(ring.size, MAX_KEYS_PER_SENDER);
  for (const { kid, key } of keys.slice(-SEEN_KIDS_PER_SENDER)) assert.equal(await ring.add(kid, key), false);
  // Older ones are forgotten (the documented limit, docs/e2ee.md §4).
  assert.equal(ring.seen(keys[0].kid), false);
  assert.equal(ring.stats.replayed, SEEN_KIDS_PER_SENDER);
});

test('frames (M2): after a key is wiped, its replayed blob and recorded frames do not decrypt; a live key keeps its replay window', async () => {
  const clock = fakeClock();
  const dec = new FrameDecryptor({ now: clock.now });
  const enc = new FrameEncryptor();
  const k1 = randomSenderKey();
  const k2 = randomSenderKey();
  const kid1 = await deriveKid(k1);
  const kid2 = await deriveKid(k2);
  await dec.addKey(kid1, k1);
  await enc.setKey(kid1, k1);
  const recorded1 = await enc.encrypt(new Uint8Array(40), false);
  assert.equal((await dec.decrypt(recorded1)).kid, kid1);
  await dec.addKey(kid2, k2);
  await enc.setKey(kid2, k2);
  const recorded2 = await enc.encrypt(new Uint8Array(40), false);
  assert.equal((await dec.decrypt(recorded2)).kid, kid2);
  clock.t += OLD_KEY_GRACE_MS;
  dec.expire();
  // The server replays k1's blob, then the frame it recorded under k1.
  assert.equal(await dec.addKey(kid1, k1), false);
  await assert.rejects(dec.decrypt(recorded1), (e) => e.code === 'unknown_kid');
  // ... or k2's blob, then a frame under k2: the context was not recreated.
  assert.equal(await dec.addKey(kid2, k2), false);
  await assert.rejects(dec.decrypt(recorded2), (e) => e.code === 'replay');
  assert.equal(dec.keyring.newestKid, kid2);
});

// ------------------------------------------------------------ SAS

test('SAS table: 64 distinct single-code-point emoji with distinct names', () => {
  assert.equal(SAS_EMOJI.length, 64);
  assert.equal(new Set(SAS_EMOJI.map((e) => e.emoji)).size, 64);
  assert.equal(new Set(SAS_EMOJI.map((e) => e.name)).size, 64);
  for (const { emoji } of SAS_EMOJI) assert.equal([...emoji].length, 1, emoji);
});

test('SAS table: docs/e2ee.md lists the same 64 entries in the same order', () => {
  const doc = readFileSync(new URL('../../docs/e2ee.md', import.meta.url), 'utf8');
  const rows = doc.split('\n').filter((l) => /^\| \*\*\d+\*\* \|/.test(l));
  const cells = rows.flatMap((l) => l.split('|').slice(2, 10).map((c) => c.trim()));
  assert.deepEqual(cells, SAS_EMOJI.map((e) => `${e.emoji} ${e.name}`));
});

test('SAS: 6 emoji from the first 36 bits, most significant first', () => {
  // 0b000000 000001 000010 000011 000100 000101 (+4 unused bits)
  const hash = Uint8Array.from([0x00, 0x10, 0x83, 0x10, 0x50, ...new Array(27).fill(0xff)]);
  assert.deepEqual(sasFromHash(hash).emoji, [0, 1, 2, 3, 4, 5].map((i) => SAS_EMOJI[i].emoji));
  assert.deepEqual(sasFromHash(new Uint8Array(32).fill(0xff)).names, new Array(6).fill(SAS_EMOJI[63].name));
});

test('SAS: same key set in any order gives the same string; one substituted key changes it', async () => {
  const ids = await Promise.all([1, 2, 3].map(() => generateIdentity()));
  const keys = ids.map((i) => i.publicRaw);
  const a = await computeSas('room', keys);
  const b = await computeSas('room', [keys[2], keys[0], keys[1]]);
  assert.equal(a.text, b.text);
  assert.equal(a.emoji.length, 6);
  const fake = (await generateIdentity()).publicRaw;
  assert.notEqual((await computeSas('room', [keys[0], fake, keys[2]])).text, a.text);
  assert.notEqual((await computeSas('room-2', keys)).text, a.text);
  assert.notEqual((await computeSas('room', keys.slice(0, 2))).text, a.text);
  // Independently: SHA-256("aegis-e2ee-v1 sas" 0 room 0 sorted keys).
  const sorted = [...keys].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
  const digest = nodeCrypto.createHash('sha256')
    .update(Buffer.from('aegis-e2ee-v1 sas\0room\0')).update(Buffer.concat(sorted.map((k) => Buffer.from(k)))).digest();
  assert.equal(sasFromHash(new Uint8Array(digest)).text, a.text);
});

// ------------------------------------------------------------ frames

test('frames: keyframes and other frames use disjoint CTR lanes whose first byte tells VP8 the frame type', async () => {
  const enc = new FrameEncryptor();
  const key = randomSenderKey();
  const kid = await deriveKid(key);
  await assert.rejects(enc.encrypt(new Uint8Array(10), false), (e) => e.code === 'no_key');
  await enc.setKey(kid, key);
  const dec = new FrameDecryptor();
  await dec.addKey(kid, key);
  for (const isKey of [true, false, false, true, false]) {
    const plain = crypto.getRandomValues(new Uint8Array(100));
    const frame = await enc.encrypt(plain, isKey);
    const h = decodeHeader(frame);
    assert.equal(h.kid, BigInt(kid));
    assert.equal(laneOfCtr(h.ctr), isKey ? 'key' : 'other');
    // VP8's P bit (bit 0 of the first byte): 0 = keyframe.
    assert.equal(frame[0] & 1, isKey ? 0 : 1);
    const out = await dec.decrypt(frame);
    assert.equal(out.kid, kid);
    assert.equal(hex(out.plaintext), hex(plain));
  }
  const first = decodeHeader(await enc.encrypt(new Uint8Array(1), true)).ctr;
  assert.equal(first, KEYFRAME_CTR_START + 2n);
  assert.equal(laneOfCtr(OTHER_CTR_START - 1n), 'key');
  assert.equal(laneOfCtr(7n), null);
});

test('frames: ratcheted sender key is found through the window; unknown KIDs and replays are refused', async () => {
  const key = randomSenderKey();
  const enc = new FrameEncryptor();
  const dec = new FrameDecryptor();
  await dec.addKey(await deriveKid(key), key);
  const next = await ratchetKey(await ratchetKey(key));
  await enc.setKey(await deriveKid(next), next);
  const frame = await enc.encrypt(new Uint8Array(50), false);
  assert.equal((await dec.decrypt(frame)).kid, await deriveKid(next));
  await assert.rejects(dec.decrypt(frame), (e) => e instanceof FrameError && e.code === 'replay');
  const stranger = randomSenderKey();
  await enc.setKey(await deriveKid(stranger), stranger);
  await assert.rejects(dec.decrypt(await enc.encrypt(new Uint8Array(50), false)), (e) => e.code === 'unknown_kid');
  await assert.rejects(dec.decrypt(Uint8Array.from([0x0f])), (e) => e.code === 'malformed');
});

// ------------------------------------------------------------ manager

// Virtual time for the managers (their injected `timers`) and the stand-in
// server: nothing fires until a test advances the clock, then every timer
// fires at its own deadline, in deadline order, each only after the work the
// one before set off (WebCrypto included) has finished. So a test sees the
// same sequence of events, at the same virtual instants, however slow or
// loaded the machine is, and 1.5 s of protocol time take no real time.
class VirtualClock {
  t = 1000;
  #timers = new Map();  // id -> { at, fn, every }
  #ids = 0;
  #idle;

  // idle(): resolves once every piece of work already set off has finished.
  constructor(idle) { this.#idle = idle; }

  now = () => this.t;
  setTimeout = (fn, ms = 0) => this.#add(fn, ms, 0);
  setInterval = (fn, ms = 0) => this.#add(fn, ms, Math.max(1, ms));
  clearTimeout = (id) => { this.#timers.delete(id); };
  clearInterval = (id) => { this.#timers.delete(id); };

  #add(fn, ms, every) {
    const id = ++this.#ids;
    this.#timers.set(id, { at: this.t + Math.max(0, ms), fn, every });
    return id;
  }

  // Moves time forward by `ms`, firing what falls due on the way (among
  // timers due at the same instant, the one set first fires first).
  async advance(ms) {
    const end = this.t + ms;
    for (;;) {
      await this.#idle();
      let next = null;
      for (const entry of this.#timers) {
        if (entry[1].at <= end && (next === null || entry[1].at < next[1].at)) next = entry;
      }
      if (next === null) break;
      const [id, timer] = next;
      this.t = timer.at;
      if (timer.every) timer.at += timer.every;
      else this.#timers.delete(id);
      timer.fn();
    }
    this.t = end;
    await this.#idle();
  }
}

// Lets every callback already queued run: the microtask queue is empty and
// pending I/O callbacks have had their turn when a setImmediate fires.
const drainMicrotasks = () => new Promise((resolve) => setImmediate(resolve));

// A stand-in for the SDK room and the server: relays sealed blobs between
// managers (as base64url, like the wire) and announces joins and leaves.
// `sent` logs every blob a manager handed to its room (delivered or not);
// `drop(from, to)` true makes this "server" withhold a blob; statusMs speeds
// up the managers' status look (1 s in the SDK). Time is the virtual
// `clock`; a relayed blob arrives 1 ms (virtual) after it was sent.
class FakeServer {
  rooms = new Map();  // id -> { room, manager, transforms, identity, events }
  roomId = 'E';
  sent = [];          // { from, to, at, blob (base64url) }
  inflight = 0;       // relayed blobs not yet delivered
  drop = () => false;

  constructor({ statusMs = STATUS_INTERVAL_MS } = {}) {
    const clock = new VirtualClock(() => this.idle());
    this.clock = clock;
    this.timers = {
      setTimeout: clock.setTimeout, clearTimeout: clock.clearTimeout,
      setInterval: (fn, ms) => clock.setInterval(fn, ms === STATUS_INTERVAL_MS ? statusMs : ms),
      clearInterval: clock.clearInterval, now: clock.now,
    };
  }

  get now() { return this.clock.t; }

  // Resolves once every manager has handled every event it was given and
  // nothing more is on its way: a manager's queue that grew while we waited
  // (an event set off by another's step) is waited for again.
  async idle() {
    for (let round = 0; ; round++) {
      if (round > 10_000) throw new Error('the managers never became idle');
      const queues = [...this.rooms.values()].map((e) => e.manager.settled());
      await Promise.all(queues);
      await drainMicrotasks();
      const now = [...this.rooms.values()].map((e) => e.manager.settled());
      if (now.length === queues.length && now.every((q, i) => q === queues[i])) return;
    }
  }

  // A blob as the server relays it (also used to replay recorded ones).
  deliver(to, from, blob) {
    this.rooms.get(to).room.dispatchEvent(Object.assign(new Event('keyblob'), { from, blob }));
  }

  // A participant_joined only `to` hears (the server may say anything).
  announce(to, participant) {
    this.rooms.get(to).room.dispatchEvent(Object.assign(new Event('participantjoined'), { participant }));
  }

  async join(id) {
    const identity = await generateIdentity();
    const room = new EventTarget();
    room.participantId = id;
    room.roomId = this.roomId;
    room.participants = [...this.rooms.values()].map((m) => ({ id: m.room.participantId, identityKey: base64UrlEncode(m.identity.publicRaw) }));
    room.sendKeyBlob = (to, blob) => {
      const text = base64UrlEncode(blob);
      this.sent.push({ from: id, to, at: this.now, blob: text });
      const target = this.rooms.get(to);
      if (!target) return false;
      if (!this.drop(id, to)) {
        this.inflight++;
        this.clock.setTimeout(() => {
          this.inflight--;
          this.rooms.get(to)?.room.dispatchEvent(Object.assign(new Event('keyblob'), { from: id, blob: text }));
        }, 1);
      }
      return true;
    };
    const clock = this.clock;
    const transforms = {
      encryptKeys: [], receiveKeys: [], removed: [],
      setEncryptionKey(kid, key) { this.encryptKeys.push({ kid, key: hex(key), at: clock.t }); },
      addReceiveKey(from, kid, key) { this.receiveKeys.push({ from, kid, key: hex(key) }); },
      removeSender(pid) { this.removed.push(pid); },
      async report() { return { transforms: [], senders: {}, ownKid: null }; },
    };
    const events = [];
    const manager = new E2eeManager({
      room, identity, transforms, testHooks: true, timers: this.timers, emit: (type, f) => events.push({ type, ...f }),
    });
    const announced = { id, identityKey: base64UrlEncode(identity.publicRaw) };
    for (const other of this.rooms.values()) {
      other.room.dispatchEvent(Object.assign(new Event('participantjoined'), { participant: announced }));
    }
    const entry = { room, manager, transforms, identity, events };
    this.rooms.set(id, entry);
    await manager.start();
    return entry;
  }

  leave(id) {
    const entry = this.rooms.get(id);
    entry.manager.close();
    this.rooms.delete(id);
    for (const other of this.rooms.values()) {
      other.room.dispatchEvent(Object.assign(new Event('participantleft'), { participantId: id }));
    }
  }

  // Lets `ms` of virtual time pass.
  advance(ms) { return this.clock.advance(ms); }

  // Plays out what the last event set off: past a leave's send delay, every
  // relayed blob delivered, every manager idle.
  async settle() {
    await this.advance(SEND_DELAY_MS + 10);
    while (this.inflight > 0) await this.advance(1);
  }

  // Advances virtual time 1 ms at a time until `probe` is true; fails if it
  // is not within `ms` (virtual) of now.
  async until(probe, ms, what) {
    const end = this.now + ms;
    await this.idle();
    while (!probe()) {
      if (this.now >= end) assert.fail(`no ${what} within ${ms} ms (virtual time)`);
      await this.advance(1);
    }
  }

  close() {
    for (const e of this.rooms.values()) e.manager.close();
  }
}

test('manager: keys reach everyone; a join ratchets; a leave switches to an unrelated fresh key after 250 ms', async () => {
  const server = new FakeServer();
  try {
    const a = await server.join('a');
    const b = await server.join('b');
    await server.settle();
    // b got a's ratcheted key (a ratcheted when b joined), a got b's key.
    const aState1 = a.manager.exportKeyStateForTesting();
    const bState1 = b.manager.exportKeyStateForTesting();
    assert.equal(a.transforms.encryptKeys.length, 2, 'a: initial key, then ratchet on b\'s join');
    assert.equal(a.transforms.encryptKeys[1].key, hex(nodeRatchet(fromHex(a.transforms.encryptKeys[0].key))));
    assert.deepEqual(b.transforms.receiveKeys, [{ from: 'a', kid: aState1.ownKid, key: aState1.ownKey }]);
    assert.deepEqual(a.transforms.receiveKeys, [{ from: 'b', kid: bState1.ownKid, key: bState1.ownKey }]);
    assert.equal(a.manager.sas.text, b.manager.sas.text);

    const c = await server.join('c');
    await server.settle();
    assert.equal(a.manager.sas.text, c.manager.sas.text);
    const aState2 = a.manager.exportKeyStateForTesting();
    assert.equal(aState2.ownKey, hex(nodeRatchet(fromHex(aState1.ownKey))), 'a ratcheted for c');
    assert.deepEqual(c.transforms.receiveKeys.filter((k) => k.from === 'a').map((k) => k.key), [aState2.ownKey]);
    assert.equal(b.transforms.receiveKeys.filter((k) => k.from === 'a').length, 1, 'b derives a\'s ratchet itself');

    // c leaves: a and b send fresh keys to each other only, SEND_DELAY_MS
    // after the leave, and switch SWITCH_DELAY_MS after that.
    const cLast = c.manager.exportKeyStateForTesting();
    const leaveAt = server.now;
    server.leave('c');
    await server.settle();
    const aPending = a.manager.exportKeyStateForTesting();
    assert.ok(aPending.pendingKid !== null, 'a has a fresh key waiting');
    assert.equal(aPending.ownKid, aState2.ownKid, 'a still encrypts with the old key');
    assert.ok(b.transforms.receiveKeys.some((k) => k.kid === aPending.pendingKid), 'b has a\'s fresh key before the switch');
    assert.deepEqual(a.transforms.removed, ['c']);
    const fresh = server.sent.filter((x) => x.from === 'a' && x.at >= leaveAt);
    assert.deepEqual(fresh.map((x) => [x.to, x.at - leaveAt]), [['b', SEND_DELAY_MS]], 'sealed to b only, after the send delay');
    await server.until(() => a.transforms.encryptKeys.length > 3, SWITCH_DEADLINE_MS, 'switch');
    await server.settle();
    const aSwitched = a.transforms.encryptKeys.at(-1);
    assert.equal(a.transforms.encryptKeys.length, 4, 'one switch');
    assert.equal(aSwitched.kid, aPending.pendingKid);
    assert.equal(aSwitched.at - leaveAt, SEND_DELAY_MS + SWITCH_DELAY_MS, 'switched SWITCH_DELAY_MS after the blobs went out');
    // The fresh key is unrelated to anything c held: not in the ratchet
    // window (nor 64 steps) of any key c knew.
    const cKnew = [cLast.ownKey, ...cLast.receivedKeys.map((k) => k.key)].map(fromHex);
    for (const known of cKnew) {
      let k = known;
      for (let i = 0; i <= 64; i++) {
        assert.notEqual(hex(k), aSwitched.key);
        assert.notEqual(nodeKid(k), aSwitched.kid);
        k = nodeRatchet(k);
      }
    }
    assert.notEqual(a.manager.sas.text, cLast && c.manager.sas.text);
    assert.equal(a.manager.sas.text, b.manager.sas.text);
  } finally {
    server.close();
  }
});

test('manager: leaves in a burst still switch within 1 s of the first', async () => {
  const server = new FakeServer();
  try {
    const a = await server.join('a');
    for (const id of ['b', 'c', 'd', 'e', 'f', 'g']) await server.join(id);
    await server.settle();
    const before = a.transforms.encryptKeys.length;
    const leaveAt = server.now;
    // One leave every 200 ms for 800 ms: each arrives before the key for the
    // ones before it is switched to, so without the deadline the switch
    // would keep moving (to 1100 ms after the first).
    for (const id of ['b', 'c', 'd', 'e', 'f']) {
      server.leave(id);
      await server.advance(200);
    }
    await server.advance(SWITCH_DEADLINE_MS);
    await server.settle();
    const switches = a.transforms.encryptKeys.slice(before);
    assert.ok(switches.length >= 1);
    assert.ok(switches[0].at - leaveAt < SWITCH_DEADLINE_MS, `first switch after ${switches[0].at - leaveAt} ms`);
    const g = server.rooms.get('g');
    assert.ok(g.transforms.receiveKeys.some((k) => k.from === 'a' && k.kid === switches.at(-1).kid));
  } finally {
    server.close();
  }
});

test('manager: a blob that does not open is counted, not used', async () => {
  const server = new FakeServer();
  try {
    const a = await server.join('a');
    const b = await server.join('b');
    await server.settle();
    const received = b.transforms.receiveKeys.length;
    b.room.dispatchEvent(Object.assign(new Event('keyblob'), { from: 'a', blob: base64UrlEncode(new Uint8Array(55)) }));
    b.room.dispatchEvent(Object.assign(new Event('keyblob'), { from: 'zed', blob: 'AAAA' }));
    await server.settle();
    assert.equal(b.transforms.receiveKeys.length, received);
    assert.equal(b.manager.counters.blobsRefused, 2);
    assert.deepEqual(b.events.filter((e) => e.type === 'e2eeerror').map((e) => e.code), ['bad_blob', 'unknown_sender']);
    assert.throws(() => new E2eeManager({ room: a.room, identity: a.identity, transforms: a.transforms }).exportKeyStateForTesting());
  } finally {
    server.close();
  }
});

const errorsOf = (entry) => entry.events.filter((e) => e.type === 'e2eeerror');

test('manager (M2): a replayed key blob is refused and counted, also after the server re-announces its sender', async () => {
  const server = new FakeServer();
  try {
    const a = await server.join('a');
    const b = await server.join('b');
    await server.settle();
    const recorded = server.sent.filter((x) => x.from === 'a' && x.to === 'b');
    assert.equal(recorded.length, 1);
    const received = b.transforms.receiveKeys.length;
    server.deliver('b', 'a', recorded[0].blob);
    await server.settle();
    assert.equal(b.transforms.receiveKeys.length, received, 'not handed to the worker again');
    assert.equal(b.manager.counters.blobRefusals.replayed, 1);
    assert.deepEqual(errorsOf(b).map((e) => [e.code, e.from]), [['replayed', 'a']]);
    // The server says a left and came back (same id, same identity key, so
    // its old blobs open again) and replays: b's worker keyring for a is new,
    // the manager still remembers.
    b.room.dispatchEvent(Object.assign(new Event('participantleft'), { participantId: 'a' }));
    server.announce('b', { id: 'a', identityKey: base64UrlEncode(a.identity.publicRaw) });
    server.deliver('b', 'a', recorded[0].blob);
    await server.settle();
    assert.equal(b.transforms.receiveKeys.length, received);
    assert.equal(b.manager.counters.blobRefusals.replayed, 2);
  } finally {
    server.close();
  }
});

test('manager (M3): a sender that ratcheted through 8 or more joins unseen is still followed by every member', async () => {
  const server = new FakeServer();
  try {
    const a = await server.join('a');
    const b = await server.join('b');  // b gets a's key after a's 1st ratchet
    const joins = 2 * RATCHET_WINDOW + 1;
    for (let i = 1; i <= joins; i++) await server.join(`j${i}`);
    await server.settle();
    // b saw none of a's frames: without more blobs it would hold a key 17
    // ratchets behind a's, far outside its window of 8. a resealed its
    // ratcheted key to everyone each time 8 ratchets had not gone to all.
    const fromA = b.transforms.receiveKeys.filter((k) => k.from === 'a');
    assert.equal(fromA.length, 3, 'the first key, then one reseal per 8 ratchets');
    // One blob per joiner (b, j1..j17), and the reseals at a's 8th ratchet
    // (j7's join: to b, j1..j6 as well) and 16th (j15's: 15 others as well).
    assert.equal(server.sent.filter((x) => x.from === 'a').length, (1 + joins) + 7 + 15);
    for (const id of ['b', 'j1', 'j7', 'j9', 'j15']) {
      const ring = new SenderKeyring();
      for (const k of server.rooms.get(id).transforms.receiveKeys.filter((x) => x.from === 'a')) {
        assert.equal(await ring.add(k.kid, fromHex(k.key)), true);
      }
      const own = a.manager.exportKeyStateForTesting();
      assert.equal(hex(await ring.resolve(own.ownKid) ?? []), own.ownKey, `${id} follows a's current key`);
    }
  } finally {
    server.close();
  }
});

test('manager (H1): leaves in quick succession share one fresh key; nobody who left gets the key switched to', async () => {
  const server = new FakeServer();
  try {
    const a = await server.join('a');
    for (const id of ['b', 'c', 'd', 'e', 'f', 'g']) await server.join(id);
    await server.settle();
    const e = server.rooms.get('e');
    const switchesBefore = a.transforms.encryptKeys.length;
    const leftAt = server.now;
    // b and c leave together: one rotation, sealed to d, e, f, g only, sent
    // SEND_DELAY_MS after the first leave.
    server.leave('b');
    server.leave('c');
    await server.until(() => a.manager.exportKeyStateForTesting().pendingKid !== null, 2000, 'fresh key at a');
    const firstFresh = a.manager.exportKeyStateForTesting().pendingKid;
    const round1 = server.sent.filter((x) => x.from === 'a' && x.at >= leftAt);
    assert.deepEqual(round1.map((x) => x.to).sort(), ['d', 'e', 'f', 'g']);
    assert.equal(round1[0].at - leftAt, SEND_DELAY_MS, 'sent SEND_DELAY_MS after the first leave');
    // e leaves after the blobs reached it (it holds firstFresh) but before
    // the switch: firstFresh is never used; a newer key goes to d, f, g.
    await server.until(() => e.transforms.receiveKeys.some((k) => k.kid === firstFresh), 100, 'e to get the fresh key');
    assert.equal(a.transforms.encryptKeys.length, switchesBefore, 'not switched yet');
    const eLeftAt = server.now;
    server.leave('e');
    await server.until(() => a.transforms.encryptKeys.length > switchesBefore, 2000, 'switch at a');
    await server.advance(SWITCH_DEADLINE_MS);
    await server.settle();
    const switches = a.transforms.encryptKeys.slice(switchesBefore);
    assert.equal(switches.length, 1, 'one switch');
    assert.notEqual(switches[0].kid, firstFresh, 'not to the key e got');
    assert.ok(switches[0].at - leftAt < SWITCH_DEADLINE_MS, `switched ${switches[0].at - leftAt} ms after the first leave`);
    const round2 = server.sent.filter((x) => x.from === 'a' && x.at >= eLeftAt);
    assert.deepEqual(round2.map((x) => x.to).sort(), ['d', 'f', 'g']);
    assert.equal(server.sent.filter((x) => x.from === 'a' && x.at >= leftAt).length, 7, 'instead of 5 + 4 + 3');
    for (const id of ['d', 'f', 'g']) {
      assert.ok(server.rooms.get(id).transforms.receiveKeys.some((k) => k.from === 'a' && k.kid === switches[0].kid), id);
    }
    assert.ok(!e.transforms.receiveKeys.some((k) => k.kid === switches[0].kid), 'e never got it');
    assert.ok(e.transforms.receiveKeys.some((k) => k.kid === firstFresh), 'e got the one discarded');
  } finally {
    server.close();
  }
});

test('manager (H1): a join while the fresh key waits to be sent ratchets the current key and the joiner gets the fresh one', async () => {
  const server = new FakeServer();
  try {
    const a = await server.join('a');
    await server.join('b');
    await server.join('c');
    await server.settle();
    const leftAt = server.now;
    server.leave('b');
    const d = await server.join('d');  // no virtual time passes: within SEND_DELAY_MS of the leave
    await server.idle();
    assert.equal(server.now, leftAt);
    assert.equal(a.manager.exportKeyStateForTesting().pendingKid, null, 'the fresh key is not sent yet');
    await server.advance(SEND_DELAY_MS + SWITCH_DELAY_MS + 100);
    await server.settle();
    const own = a.manager.exportKeyStateForTesting();
    assert.equal(own.pendingKid, null);
    assert.ok(d.transforms.receiveKeys.some((k) => k.from === 'a' && k.kid === own.ownKid), 'd has a\'s key in use');
    assert.deepEqual(server.sent.filter((x) => x.from === 'a' && x.at >= leftAt).map((x) => x.to).sort(), ['c', 'd', 'd'],
                     'd: the ratchet at its join, then the fresh key with c; nothing to b');
  } finally {
    server.close();
  }
});

test('manager (L1): a member announced again with another identity key keeps its first key; nothing is sealed to the new one', async () => {
  const server = new FakeServer({ statusMs: 20 });
  try {
    const a = await server.join('a');
    const b = await server.join('b');
    await server.settle();
    const sas = a.manager.sas.text;
    const sent = server.sent.length;
    // The same announcement again: nothing happens.
    server.announce('a', { id: 'b', identityKey: base64UrlEncode(b.identity.publicRaw) });
    await server.settle();
    assert.equal(server.sent.length, sent);
    assert.deepEqual(errorsOf(a), []);
    // Another key for b: an error, no blob, the SAS still covers b's first key.
    const other = await generateIdentity();
    server.announce('a', { id: 'b', identityKey: base64UrlEncode(other.publicRaw) });
    await server.settle();
    assert.equal(server.sent.length, sent);
    assert.deepEqual(errorsOf(a).map((e) => [e.code, e.from, e.message]),
                     [['identity_key_changed', 'b', 'identity key of b changed']]);
    assert.equal(a.manager.sas.text, sas);
    await server.until(() => !a.manager.status.encrypted && /identity key of b changed/.test(a.manager.status.reason), 1000, 'status');
    // b's blobs still open with the first key.
    server.leave('b');
    const c = await server.join('c');
    await server.settle();
    assert.ok(a.transforms.receiveKeys.some((k) => k.from === 'c'));
    assert.equal(c.manager.sas.text, a.manager.sas.text);
  } finally {
    server.close();
  }
});

test('manager (L4): a member without a usable identity key makes the status "not encrypted" even if it sends nothing', async () => {
  const server = new FakeServer({ statusMs: 20 });
  try {
    const a = await server.join('a');
    server.announce('a', { id: 'p', name: 'Plain', identityKey: null });
    await server.settle();
    await server.until(() => /Plain is not using end-to-end encryption \(no identity key\)/.test(a.manager.status.reason), 1000, 'status');
    assert.equal(a.manager.status.encrypted, false);
    assert.equal(a.manager.sas.members, 1, 'the SAS covers only a\'s own key');
  } finally {
    server.close();
  }
});

test('manager (L4): after a leave, a member whose fresh key does not come within 1.5 s makes the status say so', async () => {
  const statusMs = 20;
  const server = new FakeServer({ statusMs });
  try {
    const a = await server.join('a');
    const b = await server.join('b');
    await server.join('c');
    await server.settle();
    server.drop = (from, to) => from === 'b' && to === 'a';  // the server withholds b's blobs to a
    const leftAt = server.now;
    server.leave('c');
    await server.advance(ROTATION_CHECK_MS - 1);
    assert.doesNotMatch(a.manager.status.reason, /did not rotate/, 'not before 1.5 s');
    await server.until(() => /^b did not rotate its key$/.test(a.manager.status.reason), 1000, 'status');
    const saidAfter = server.now - leftAt;
    assert.ok(saidAfter >= ROTATION_CHECK_MS && saidAfter <= ROTATION_CHECK_MS + statusMs,
              `said ${saidAfter} ms after the leave (status looked every ${statusMs} ms)`);
    assert.doesNotMatch(b.manager.status.reason, /did not rotate/, 'a did rotate');
    // The withheld fresh key arrives late: the complaint goes.
    const withheld = server.sent.filter((x) => x.from === 'b' && x.to === 'a').at(-1);
    server.deliver('a', 'b', withheld.blob);
    await server.until(() => !/did not rotate/.test(a.manager.status.reason), 1000, 'status to clear');
  } finally {
    server.close();
  }
});

test('manager (M5): the SAS says how many members\' keys it covers', async () => {
  const server = new FakeServer();
  try {
    const a = await server.join('a');
    await server.join('b');
    const c = await server.join('c');
    await server.settle();
    assert.equal(a.manager.sas.members, 3);
    assert.equal(c.events.filter((e) => e.type === 'saschange').at(-1).members, 3);
    server.leave('b');
    await server.settle();
    assert.equal(a.manager.sas.members, 2);
  } finally {
    server.close();
  }
});

// ------------------------------------------------------------ status

test('status: encrypted only when every playing track decrypts with its sender\'s newest key', () => {
  const members = new Map([
    ['p1', { id: 'p1', name: 'Ann', publicKey: {} }],
    ['p2', { id: 'p2', name: 'Bo', publicKey: {} }],
  ]);
  const t = (id, participantId, kind, decrypted, failed, lastKid) =>
    ({ id, role: 'decrypt', participantId, kind, encrypted: 0, decrypted, failed, unknownKid: 0, lastKid, kids: [lastKid] });
  const senders = { p1: { newestKid: 11, newestAgeMs: 5000 }, p2: { newestKid: 22, newestAgeMs: 5000 } };
  const previous = { transforms: [t(1, 'p1', 'video', 10, 0, 11), t(2, 'p2', 'video', 10, 0, 22)], senders };
  const good = { transforms: [t(1, 'p1', 'video', 40, 0, 11), t(2, 'p2', 'video', 40, 0, 22)], senders };
  assert.equal(evaluateStatus({ previous, report: good, members }).encrypted, true);

  const failing = { transforms: [t(1, 'p1', 'video', 40, 0, 11), t(2, 'p2', 'video', 10, 30, 22)], senders };
  assert.match(evaluateStatus({ previous, report: failing, members }).reason, /cannot decrypt video from Bo/);

  const oldKey = { transforms: good.transforms, senders: { ...senders, p2: { newestKid: 23, newestAgeMs: SWITCH_DEADLINE_MS + 1 } } };
  assert.match(evaluateStatus({ previous, report: oldKey, members }).reason, /Bo is not using its newest key/);
  const switching = { transforms: good.transforms, senders: { ...senders, p2: { newestKid: 23, newestAgeMs: 300 } } };
  assert.equal(evaluateStatus({ previous, report: switching, members }).encrypted, true, 'a switch in progress');

  const noKey = new Map([...members, ['p2', { id: 'p2', name: 'Bo', publicKey: null, keyProblem: 'no identity key' }]]);
  assert.match(evaluateStatus({ previous, report: failing, members: noKey }).reason, /Bo is not using end-to-end encryption/);

  const idle = { transforms: previous.transforms, senders };
  assert.deepEqual(evaluateStatus({ previous, report: idle, members }), { encrypted: false, reason: 'no media from the others yet' });
  assert.equal(evaluateStatus({ previous: null, report: { transforms: [], senders: {} }, members: new Map() }).reason,
               'nobody else is here yet');

  // L4: a member without a usable key, publishing nothing, still counts.
  const silentPlain = new Map([...members, ['p3', { id: 'p3', name: 'Cy', publicKey: null, keyProblem: 'no identity key' }]]);
  assert.deepEqual(evaluateStatus({ previous, report: good, members: silentPlain }),
                   { encrypted: false, reason: 'Cy is not using end-to-end encryption (no identity key)' });
  // L1: a member whose identity key was announced differently.
  const changed = new Map([...members, ['p2', { ...members.get('p2'), identityChanged: true }]]);
  assert.deepEqual(evaluateStatus({ previous, report: good, members: changed }),
                   { encrypted: false, reason: 'identity key of Bo changed' });
  // L4: a rotation expected after a leave, due at t = 5000.
  const due = new Map([...members, ['p2', { ...members.get('p2'), rotationDueAt: 5000 }]]);
  assert.equal(evaluateStatus({ previous, report: good, members: due, now: 4999 }).encrypted, true);
  assert.deepEqual(evaluateStatus({ previous, report: good, members: due, now: 5000 }),
                   { encrypted: false, reason: 'Bo did not rotate its key' });

  const stats = summarize({ ...good, ownKid: 5, transforms: [...good.transforms,
    { id: 3, role: 'encrypt', kind: 'audio', encrypted: 7, failed: 0, kids: [5], lastKid: 5 }] }, 'me');
  assert.equal(stats.p1.decryptedFrames, 40);
  assert.equal(stats.p1.currentKid, 11);
  assert.equal(stats.p1.newestKid, 11);
  assert.deepEqual(stats.me, { encryptedFrames: 7, failedFrames: 0, currentKid: 5, kids: [5] });
});

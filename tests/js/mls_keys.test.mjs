// Tests for the E2EE v2 building blocks without a Delivery Service:
// web/sdk/e2ee_mls_keys.js (KIDs, frame keys, codes), web/sdk/e2ee_mls.js
// (credential, KeyPackages, the frame base key exporter, chat payloads) and
// web/sdk/e2ee_identity_store.js. Where the design fixes bytes, the expected
// values are recomputed here with node:crypto, independently of the code
// under test. Needs web/sdk/mls_vendor.js (scripts/setup.sh builds it).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import nodeCrypto from 'node:crypto';
import { existsSync } from 'node:fs';

const vendor = new URL('../../web/sdk/mls_vendor.js', import.meta.url);
if (!existsSync(vendor)) throw new Error('web/sdk/mls_vendor.js is missing: run scripts/setup.sh (or scripts/build-web.sh)');

const keys = await import('../../web/sdk/e2ee_mls_keys.js');
const {
  MlsSuite, encodeCredential, decodeCredential, generateKeyPackage, decodeKeyPackageMessage, exportFrameBaseKey,
  encodeChat, decodeChat, CHAT_MAX_CHARS, MlsError, loadSuite, mls, makeClientConfig, checkRoster,
} = await import('../../web/sdk/e2ee_mls.js');
const { IdentityStore, generateSignatureKeyPair, loadOrCreateSignatureKeyPair } = await import('../../web/sdk/e2ee_identity_store.js');
const { SframeSender, SframeReceiver, SframeAuthError, decodeHeader } = await import('../../web/sdk/sframe.js');

const hex = (bytes) => Buffer.from(bytes).toString('hex');
const utf8 = (s) => new TextEncoder().encode(s);

// ---------------------------------------------------------------- KIDs

test('KID layout: the RFC 9605 §5.2 figure (context 0, E = 4) and our S = 16 context field', () => {
  // Figure 8's examples: epoch 14 with indexes 3, 7, 20.
  assert.equal(keys.frameKid({ context: 0, leaf: 3, epoch: 14 }), 0x3en);
  assert.equal(keys.frameKid({ context: 0, leaf: 7, epoch: 14 }), 0x7en);
  assert.equal(keys.frameKid({ context: 0, leaf: 20, epoch: 14 }), 0x14en);
  // context << (S + E) = context << 20; only the epoch's low 4 bits.
  assert.equal(keys.frameKid({ context: 1, leaf: 5, epoch: 17 }), (1n << 20n) + (5n << 4n) + 1n);
  assert.equal(keys.frameKid({ context: 2, leaf: 0xffff, epoch: 2n ** 40n + 15n }), (2n << 20n) + (0xffffn << 4n) + 15n);
  assert.deepEqual(keys.parseFrameKid((2n << 20n) + (0xffffn << 4n) + 15n), { context: 2, leaf: 0xffff, epochBits: 15 });
  assert.deepEqual(keys.parseFrameKid(0x14e), { context: 0, leaf: 20, epochBits: 14 });
  assert.equal(keys.epochBitsOf(33), 1);
  // Two tracks of one sender in one epoch never share a KID.
  const kids = new Set([0, 1, 2].map((context) => keys.frameKid({ context, leaf: 9, epoch: 4 })));
  assert.equal(kids.size, 3);
  assert.throws(() => keys.frameKid({ context: 0, leaf: 0x10000, epoch: 0 }), RangeError);
  assert.throws(() => keys.frameKid({ context: -1, leaf: 0, epoch: 0 }), RangeError);
  assert.throws(() => keys.frameKid({ context: 0, leaf: 1.5, epoch: 0 }), RangeError);
});

test('KID contexts: screen shares take 2, 6, 10, ..., other tracks the rest in order; no context twice; the KID tells a screen', () => {
  const contexts = new keys.FrameContexts();
  const others = Array.from({ length: 8 }, () => contexts.take());
  assert.deepEqual(others, [0, 1, 3, 4, 5, 7, 8, 9]);
  const screens = [contexts.take({ screen: true }), contexts.take({ screen: true }), contexts.take({ screen: true })];
  assert.deepEqual(screens, [keys.FrameContext.SCREEN, 6, 10]);
  assert.equal(contexts.take(), 11, 'screens do not disturb the others');
  assert.ok(screens.every(keys.isScreenContext));
  assert.ok(!others.some(keys.isScreenContext));
  // A fresh sender: microphone and camera first are 0 and 1, its first screen 2 (FrameContext).
  const fresh = new keys.FrameContexts();
  assert.deepEqual([fresh.take(), fresh.take(), fresh.take({ screen: true })],
                   [keys.FrameContext.AUDIO, keys.FrameContext.VIDEO, keys.FrameContext.SCREEN]);
  // What a receiver reads back from an authenticated KID.
  const kid = keys.frameKid({ context: 6, leaf: 3, epoch: 9 });
  assert.equal(keys.isScreenContext(keys.parseFrameKid(kid).context), true);
  assert.equal(keys.isScreenContext(keys.parseFrameKid(keys.frameKid({ context: 1, leaf: 3, epoch: 9 })).context), false);
  for (const bad of [null, undefined, -2, 2.5, '2', NaN]) assert.equal(keys.isScreenContext(bad), false, String(bad));
});

test('frame key and salt for (base_key, KID) are RFC 9605 §4.4.2 under suite 0x0004 (node:crypto HKDF)', async () => {
  const baseKey = Uint8Array.from({ length: 16 }, (_, i) => i * 7 + 1);
  const kid = keys.frameKid({ context: 1, leaf: 3, epoch: 9 });
  const label = (prefix) => {
    const b = Buffer.alloc(prefix.length + 10);
    b.write(prefix, 'latin1');
    b.writeBigUInt64BE(kid, prefix.length);
    b.writeUInt16BE(0x0004, prefix.length + 8);
    return b;
  };
  const expectKey = nodeCrypto.hkdfSync('sha256', baseKey, Buffer.alloc(0), label('SFrame 1.0 Secret key '), 16);
  const expectSalt = nodeCrypto.hkdfSync('sha256', baseKey, Buffer.alloc(0), label('SFrame 1.0 Secret salt '), 12);
  const { key, salt } = await keys.deriveFrameKeyAndSalt(baseKey, kid);
  assert.equal(hex(key), hex(new Uint8Array(expectKey)));
  assert.equal(hex(salt), hex(new Uint8Array(expectSalt)));
  await assert.rejects(keys.deriveFrameKeyAndSalt(baseKey.subarray(0, 15), kid), TypeError);
  // The live path (SframeSender/Receiver from the same pair) agrees with it.
  const sender = await SframeSender.create(keys.FRAME_SUITE, kid, baseKey);
  const frame = await sender.encrypt(utf8('frame'));
  assert.equal(decodeHeader(frame).kid, kid);
  const iv = Buffer.from(salt);  // nonce = salt XOR CTR (CTR 0)
  const decipher = nodeCrypto.createDecipheriv('aes-128-gcm', Buffer.from(key), iv);
  const header = frame.subarray(0, decodeHeader(frame).headerLength);
  decipher.setAAD(header);
  decipher.setAuthTag(frame.subarray(frame.length - 16));
  const plain = Buffer.concat([decipher.update(frame.subarray(header.length, frame.length - 16)), decipher.final()]);
  assert.equal(plain.toString(), 'frame');
});

// ---------------------------------------------------------------- codes

test('codes: 6 groups of 5 digits, each a big-endian 5-byte chunk mod 100000; 99.66 bits', () => {
  const bytes = Uint8Array.from({ length: 32 }, (_, i) => (i * 37 + 11) & 0xff);
  const expected = [];
  for (let g = 0; g < 6; g++) {
    const chunk = BigInt('0x' + hex(bytes.subarray(g * 5, g * 5 + 5)));
    expected.push((chunk % 100000n).toString().padStart(5, '0'));
  }
  assert.equal(keys.codeFromBytes(bytes), expected.join(' '));
  assert.match(keys.roomCode(bytes), /^\d{5}( \d{5}){5}$/);
  assert.equal(keys.codeFromBytes(new Uint8Array(30)), '00000 00000 00000 00000 00000 00000');
  assert.equal(keys.codeFromBytes(new Uint8Array(30).fill(0xff)), Array(6).fill(String((2n ** 40n - 1n) % 100000n)).join(' '));
  assert.throws(() => keys.codeFromBytes(new Uint8Array(29)), TypeError);
  assert.ok(Math.abs(keys.ROOM_CODE_BITS - 99.66) < 0.01);
});

test('pairwise code: PBKDF2-HMAC-SHA-512 (2^16) over the sorted pair of (signature key, credential); symmetric', async () => {
  const a = { signatureKey: new Uint8Array(32).fill(1), credential: encodeCredential('alice', 'Alice') };
  const b = { signatureKey: new Uint8Array(32).fill(2), credential: encodeCredential('bob', 'Bob') };
  const vec = (bytes) => Buffer.concat([Buffer.from([bytes.length]), Buffer.from(bytes)]);  // all < 64 bytes here
  const entry = (m) => Buffer.concat([vec(m.signatureKey), vec(m.credential)]);
  const [low, high] = [entry(a), entry(b)].sort(Buffer.compare);
  const derived = nodeCrypto.pbkdf2Sync(Buffer.concat([vec(low), vec(high)]), 'aegis-e2ee-v2 pairwise code', 65536, 30, 'sha512');
  const code = await keys.pairwiseCode(a, b);
  assert.equal(code, keys.codeFromBytes(new Uint8Array(derived)));
  assert.equal(await keys.pairwiseCode(b, a), code);
  // Another key for Bob (a substitution), or another name, gives another code.
  assert.notEqual(await keys.pairwiseCode(a, { ...b, signatureKey: new Uint8Array(32).fill(3) }), code);
  assert.notEqual(await keys.pairwiseCode(a, { ...b, credential: encodeCredential('bob', 'Robert') }), code);
});

// ---------------------------------------------------------------- credential and chat

test('credential: identity<V> || name<V> with minimal varints; anything else refused', () => {
  assert.equal(hex(encodeCredential('alice', 'Alice')), '05616c69636505416c696365');
  assert.equal(hex(encodeCredential('u1', '')), '02753100');
  const long = 'n'.repeat(100);
  assert.equal(hex(encodeCredential('u', long).subarray(0, 4)), '01754064');  // 100 -> 0x40 0x64
  assert.deepEqual(decodeCredential(encodeCredential('u', long)), { identity: 'u', name: long });
  assert.deepEqual(decodeCredential(encodeCredential('ü', 'Zoë 🎉')), { identity: 'ü', name: 'Zoë 🎉' });
  const bad = {
    'non-minimal length': '4002753100',
    'trailing byte': '0275310000',
    'truncated': '0575',
    'prefix 11': 'c0',
    'empty identity': '0000',
    'invalid UTF-8': '01ff00',
    'missing name': '027531',
  };
  for (const [what, h] of Object.entries(bad)) {
    assert.throws(() => decodeCredential(Uint8Array.from(Buffer.from(h, 'hex'))), MlsError, what);
  }
});

test('chat payload: type 0x01 then UTF-8, at most 4,000 UTF-16 units', () => {
  assert.equal(hex(encodeChat('hi')), '016869');
  assert.equal(decodeChat(encodeChat('héllo 👋')), 'héllo 👋');
  assert.equal(decodeChat(encodeChat('x'.repeat(CHAT_MAX_CHARS))).length, CHAT_MAX_CHARS);
  assert.throws(() => encodeChat('x'.repeat(CHAT_MAX_CHARS + 1)), MlsError);
  assert.throws(() => encodeChat(''), MlsError);
  assert.throws(() => decodeChat(Uint8Array.of(0x02, 0x41)), MlsError);
  assert.throws(() => decodeChat(Uint8Array.of(0x01, 0xff)), MlsError);
  assert.ok(encodeChat('\u20ac'.repeat(CHAT_MAX_CHARS)).length <= 12001);  // fits mls_app's 16 KiB with room to spare
});

test('roster check: in the call but not in the group = unencrypted; in the group but not in the call = ghost; name or duplicate = mismatched', () => {
  const leaf = (n, identity, name) => ({ leaf: n, identity, name });
  const people = [{ id: 'p1', identity: 'alice', name: 'Alice' }, { id: 'p2', identity: 'bob', name: 'Bob' }];
  assert.deepEqual(checkRoster([leaf(0, 'alice', 'Alice'), leaf(1, 'bob', 'Bob')], people),
    { ok: true, unencrypted: [], ghosts: [], mismatched: [] });
  const r = checkRoster([leaf(0, 'alice', 'Alice'), leaf(2, 'eve', 'Eve'), leaf(3, null, null)], people);
  assert.equal(r.ok, false);
  assert.deepEqual(r.unencrypted.map((p) => p.id), ['p2']);
  assert.deepEqual(r.ghosts.map((m) => m.leaf), [2, 3]);
  const m = checkRoster([leaf(0, 'alice', 'Alice'), leaf(1, 'bob', 'Robert'), leaf(4, 'alice', 'Alice')], people);
  assert.deepEqual(m.mismatched.map((x) => x.leaf), [1, 4]);
  assert.deepEqual([m.unencrypted, m.ghosts], [[], []]);
  assert.equal(m.ok, false);
});

// ---------------------------------------------------------------- key packages and exporter

test('KeyPackage: signed through a non-extractable WebCrypto Ed25519 key, credential as §7, decodable by the checks members apply', async () => {
  const pair = await generateSignatureKeyPair();
  assert.equal(pair.privateKey.extractable, false);
  await assert.rejects(crypto.subtle.exportKey('pkcs8', pair.privateKey));
  for (const suite of [MlsSuite.X25519, MlsSuite.XWING]) {
    const kp = await generateKeyPackage({ suite, identity: 'alice', name: 'Alice', signatureKeyPair: pair });
    const decoded = decodeKeyPackageMessage(kp.message, suite);
    assert.equal(decoded.identity, 'alice');
    assert.equal(decoded.name, 'Alice');
    assert.equal(hex(decoded.keyPackage.leafNode.signaturePublicKey), hex(pair.publicKey));
    // The signature verifies under the public key with the plain (unwrapped) suite.
    const cs = await loadSuite(suite);
    assert.equal(await mls.verifyKeyPackage(decoded.keyPackage, cs.signature), true);
    // ts-mls's state holds only an opaque handle, not key bytes.
    assert.notEqual(kp.privatePackage.signaturePrivateKey.length, 32);
    assert.throws(() => decodeKeyPackageMessage(kp.message, suite === 1 ? 83 : 1), MlsError);
  }
});

// RFC 9420 §8: ExpandWithLabel / DeriveSecret / MLS-Exporter with node:crypto HMAC.
function expandWithLabel(hash, secret, label, context, length) {
  const fullLabel = Buffer.from('MLS 1.0 ' + label);
  // opaque<V> lengths: one byte below 64, else two bytes 0x40 | high, low (the SHA-512 hash is 64 bytes).
  const vecLen = (n) => Buffer.from(n < 64 ? [n] : [0x40 | (n >> 8), n & 0xff]);
  const info = Buffer.concat([Buffer.from([length >> 8, length & 0xff]), vecLen(fullLabel.length), fullLabel,
    vecLen(context.length), Buffer.from(context)]);
  let t = Buffer.alloc(0);
  let out = Buffer.alloc(0);
  for (let i = 1; out.length < length; i++) {
    t = nodeCrypto.createHmac(hash, secret).update(Buffer.concat([t, info, Buffer.from([i])])).digest();
    out = Buffer.concat([out, t]);
  }
  return out.subarray(0, length);
}

test('frame base key = MLS-Exporter("SFrame 1.0 Base Key", "", 16), recomputed from the exporter secret (both suites)', async () => {
  for (const [suite, hash, nh] of [[MlsSuite.X25519, 'sha256', 32], [MlsSuite.XWING, 'sha512', 64]]) {
    const pair = await generateSignatureKeyPair();
    const kp = await generateKeyPackage({ suite, identity: 'a', name: '', signatureKeyPair: pair });
    const state = await mls.createGroup(new Uint8Array(16), kp.publicPackage, kp.privatePackage, [], kp.cs, makeClientConfig());
    const exporterSecret = state.keySchedule.exporterSecret;
    const derived = expandWithLabel(hash, exporterSecret, 'SFrame 1.0 Base Key', new Uint8Array(0), nh);
    const expected = expandWithLabel(hash, derived, 'exported', nodeCrypto.createHash(hash).update(Buffer.alloc(0)).digest(), 16);
    assert.equal(hex(await exportFrameBaseKey(state, kp.cs)), hex(expected));
  }
});

// ---------------------------------------------------------------- identity store

// Just enough IndexedDB (open with upgrade, one object store, get/put/delete in
// transactions, structured clone of stored values) to run the store's code
// path in Node. It checks our use of the API, not a browser's IndexedDB.
function fakeIndexedDb() {
  const databases = new Map();
  const later = (fn) => setTimeout(fn, 0);
  const req = (run) => {
    const r = { result: undefined, error: null, onsuccess: null, onerror: null };
    later(() => {
      try {
        r.result = run();
        r.onsuccess?.();
      } catch (e) {
        r.error = e;
        r.onerror?.();
      }
    });
    return r;
  };
  return {
    open(name) {
      const r = { result: undefined, onsuccess: null, onerror: null, onupgradeneeded: null };
      later(() => {
        let db = databases.get(name);
        const fresh = !db;
        if (fresh) {
          const stores = new Map();
          db = {
            objectStoreNames: { contains: (n) => stores.has(n) },
            createObjectStore: (n) => stores.set(n, new Map()),
            transaction: (n) => {
              const store = stores.get(n);
              const tx = { oncomplete: null, onerror: null, onabort: null };
              tx.objectStore = () => ({
                get: (k) => req(() => structuredClone(store.get(k))),
                put: (v, k) => req(() => { store.set(k, structuredClone(v)); return k; }),
                delete: (k) => req(() => { store.delete(k); }),
              });
              setTimeout(() => tx.oncomplete?.(), 5);
              return tx;
            },
            close() {},
          };
          databases.set(name, db);
        }
        r.result = db;
        if (fresh) r.onupgradeneeded?.();
        r.onsuccess?.();
      });
      return r;
    },
  };
}

test('identity store: IndexedDB keeps the non-extractable key across opens; memory fallback without IndexedDB', async () => {
  const idb = fakeIndexedDb();
  const first = await IdentityStore.open({ indexedDB: idb });
  assert.equal(first.persistent, true);
  const pair = await loadOrCreateSignatureKeyPair(first, 'alice');
  const again = await IdentityStore.open({ indexedDB: idb });
  const loaded = await loadOrCreateSignatureKeyPair(again, 'alice');
  assert.equal(hex(loaded.publicKey), hex(pair.publicKey));
  assert.equal(loaded.privateKey.extractable, false);
  // The stored key still signs, and the signature verifies under the stored public key.
  const sig = await crypto.subtle.sign('Ed25519', loaded.privateKey, utf8('m'));
  const pub = await crypto.subtle.importKey('raw', loaded.publicKey, 'Ed25519', false, ['verify']);
  assert.equal(await crypto.subtle.verify('Ed25519', pub, sig, utf8('m')), true);
  assert.equal(await again.get('bob'), null);
  await again.delete('alice');
  assert.equal(await first.get('alice'), null);

  const memory = await IdentityStore.open({ indexedDB: undefined });
  assert.equal(memory.persistent, false);
  const m1 = await loadOrCreateSignatureKeyPair(memory, 'alice');
  assert.equal(hex((await loadOrCreateSignatureKeyPair(memory, 'alice')).publicKey), hex(m1.publicKey));
  await assert.rejects(memory.put('alice', { publicKey: new Uint8Array(5), privateKey: {} }), TypeError);
});

test('a frame sealed under one base key does not open under another (SframeAuthError)', async () => {
  const kid = keys.frameKid({ context: 0, leaf: 1, epoch: 3 });
  const sender = await SframeSender.create(keys.FRAME_SUITE, kid, new Uint8Array(16).fill(1));
  const frame = await sender.encrypt(utf8('x'));
  const receiver = new SframeReceiver(keys.FRAME_SUITE);
  await receiver.addKey(kid, new Uint8Array(16).fill(2));
  await assert.rejects(receiver.decrypt(frame), SframeAuthError);
});

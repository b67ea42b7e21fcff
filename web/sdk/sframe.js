// SFrame (RFC 9605): end-to-end encryption of media frames, over WebCrypto.
// Plain ES module with no DOM access and no imports, so the same file runs in
// a page, in the Worker of an RTCRtpScriptTransform, and in Node 19+ (Node 18
// first needs `globalThis.crypto = require('node:crypto').webcrypto`).
//
//   const sender = await SframeSender.create(CipherSuite.AES_128_GCM_SHA256_128, kid, baseKey);
//   const frame = await sender.encrypt(plaintext, metadata);   // header || ciphertext || tag
//
//   const receiver = new SframeReceiver(CipherSuite.AES_128_GCM_SHA256_128);
//   await receiver.addKey(kid, baseKey);
//   const plaintext = await receiver.decrypt(frame, metadata); // throws an SframeError subclass
//
// KID and CTR are unsigned 64-bit values: they are accepted as a bigint or a
// safe-integer number and returned as bigint. Byte inputs are any
// BufferSource; byte outputs are Uint8Arrays that own their whole buffer, so
// `.buffer` can become an encoded frame's `data` as is.
//
// The live path keeps keys inside WebCrypto wherever WebCrypto allows: the
// base key becomes a non-extractable HKDF key, AES-GCM keys are derived
// straight into non-extractable keys, and the AES-CTR+HMAC key (which
// WebCrypto cannot split into two keys) lives in a buffer only long enough
// to be imported, then is zeroed.

const subtle = globalThis.crypto.subtle;

// RFC 9605 §8.1 identifiers; §4.5 Table 1 sizes in bytes (nka: AES key inside
// the compound AES-CTR+HMAC key, nk: whole AEAD key, nn: nonce, nt: tag).
export const CipherSuite = Object.freeze({
  AES_128_CTR_HMAC_SHA256_80: 0x0001,
  AES_128_CTR_HMAC_SHA256_64: 0x0002,
  AES_128_CTR_HMAC_SHA256_32: 0x0003,
  AES_128_GCM_SHA256_128: 0x0004,
  AES_256_GCM_SHA512_128: 0x0005,
});
export const DEFAULT_CIPHER_SUITE = CipherSuite.AES_128_GCM_SHA256_128;

const kSuites = new Map([
  [0x0001, { id: 0x0001, hash: 'SHA-256', gcm: false, nka: 16, nk: 48, nn: 12, nt: 10 }],
  [0x0002, { id: 0x0002, hash: 'SHA-256', gcm: false, nka: 16, nk: 48, nn: 12, nt: 8 }],
  [0x0003, { id: 0x0003, hash: 'SHA-256', gcm: false, nka: 16, nk: 48, nn: 12, nt: 4 }],
  [0x0004, { id: 0x0004, hash: 'SHA-256', gcm: true, nk: 16, nn: 12, nt: 16 }],
  [0x0005, { id: 0x0005, hash: 'SHA-512', gcm: true, nk: 32, nn: 12, nt: 16 }],
]);

const kMaxU64 = (1n << 64n) - 1n;
// The RFC allows any base key; refusing short ones catches a caller passing
// a passphrase or an id where a random key belongs.
const kMinBaseKeyBytes = 16;
// How many counters back a receiver still accepts a frame under one key
// (reordering between the audio and video paths of one sender stays far below).
const kDefaultReplayWindow = 1024;
const kEmpty = new Uint8Array(0);

// ---------------------------------------------------------------- errors

// Every failure this module reports on purpose; `code` is stable for callers.
export class SframeError extends Error {
  constructor(code, message) {
    super(message);
    this.name = new.target.name;
    this.code = code;
  }
}
// The bytes are not an SFrame ciphertext (truncated, non-minimal header).
export class SframeParseError extends SframeError {
  constructor(message) { super('malformed', message); }
}
// No key for the frame's KID (RFC 9605 §4.4.4 allows buffering and retrying).
export class SframeUnknownKidError extends SframeError {
  constructor(kid) {
    super('unknown_kid', `no key for KID ${kid}`);
    this.kid = kid;
  }
}
// The tag did not verify: wrong key, tampered bytes or wrong metadata.
export class SframeAuthError extends SframeError {
  constructor() { super('auth_failed', 'authentication failed'); }
}
// The frame's CTR was already accepted under this key, or is too old to tell.
export class SframeReplayError extends SframeError {
  constructor(message) { super('replay', message); }
}
// Every CTR value of this sender's key was used; it needs a new key.
export class SframeCounterExhaustedError extends SframeError {
  constructor() { super('counter_exhausted', 'all 2^64 counter values were used; rotate the key'); }
}

// ---------------------------------------------------------------- bytes

function toBytes(data, name) {
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  throw new TypeError(`${name} must be an ArrayBuffer or a typed array`);
}

function concat(a, b) {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

function toU64(value, name) {
  const v = typeof value === 'number' && Number.isSafeInteger(value) ? BigInt(value) : value;
  if (typeof v !== 'bigint' || v < 0n || v > kMaxU64) {
    throw new RangeError(`${name} must be an integer in [0, 2^64)`);
  }
  return v;
}

function byteLengthOf(value) {
  let n = 1;
  while (value > 0xffn) { value >>= 8n; n++; }
  return n;
}

function writeBigEndian(out, offset, value, length) {
  for (let i = offset + length - 1; i >= offset; i--, value >>= 8n) out[i] = Number(value & 0xffn);
}

function readBigEndian(bytes, offset, length) {
  let value = 0n;
  for (let i = offset; i < offset + length; i++) value = (value << 8n) | BigInt(bytes[i]);
  return value;
}

// Compares all bytes whatever the first difference, so timing says nothing about the tag.
function constantTimeEqual(a, b) {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}

// ---------------------------------------------------------------- header (RFC 9605 §4.3)
//
//    0 1 2 3 4 5 6 7
//   +-+-+-+-+-+-+-+-+------------+------------+
//   |X|  K  |Y|  C  |   KID...   |   CTR...   |
//   +-+-+-+-+-+-+-+-+------------+------------+
//
// A value below 8 sits in K (or C) with X (or Y) clear; a larger one follows
// the config byte in the fewest big-endian bytes, and K (or C) holds that
// length minus one with X (or Y) set.

// The 4-bit half of the config byte for one value.
function configNibble(value, length) {
  return length === 0 ? Number(value) : 0x8 | (length - 1);
}

export function encodeHeader(kid, ctr) {
  kid = toU64(kid, 'kid');
  ctr = toU64(ctr, 'ctr');
  const kidLength = kid < 8n ? 0 : byteLengthOf(kid);
  const ctrLength = ctr < 8n ? 0 : byteLengthOf(ctr);
  const header = new Uint8Array(1 + kidLength + ctrLength);
  header[0] = (configNibble(kid, kidLength) << 4) | configNibble(ctr, ctrLength);
  writeBigEndian(header, 1, kid, kidLength);
  writeBigEndian(header, 1 + kidLength, ctr, ctrLength);
  return header;
}

// Reads one KID or CTR field; refuses any encoding but the minimal one, so
// each (KID, CTR) has exactly one header and the AAD cannot be varied.
function readField(bytes, nibble, offset, name) {
  if ((nibble & 0x8) === 0) return { value: BigInt(nibble), size: 0 };
  const size = (nibble & 0x7) + 1;
  if (offset + size > bytes.length) throw new SframeParseError(`truncated ${name}`);
  const value = readBigEndian(bytes, offset, size);
  if (value < 8n || bytes[offset] === 0) throw new SframeParseError(`non-minimal ${name} encoding`);
  return { value, size };
}

// Parses the header at the start of `frame`: { kid, ctr, headerLength }.
export function decodeHeader(frame) {
  const bytes = toBytes(frame, 'frame');
  if (bytes.length === 0) throw new SframeParseError('empty frame');
  const kid = readField(bytes, bytes[0] >> 4, 1, 'KID');
  const ctr = readField(bytes, bytes[0] & 0xf, 1 + kid.size, 'CTR');
  return { kid: kid.value, ctr: ctr.value, headerLength: 1 + kid.size + ctr.size };
}

// ---------------------------------------------------------------- key schedule (RFC 9605 §4.4.2)

function suiteParams(suite) {
  const params = kSuites.get(suite);
  if (!params) throw new SframeError('unsupported_suite', `unsupported SFrame cipher suite ${suite}`);
  return params;
}

// "SFrame 1.0 Secret key " + KID (8 bytes) + cipher_suite (2 bytes), big-endian.
function label(prefix, suite, kid) {
  const text = new TextEncoder().encode(prefix);
  const out = new Uint8Array(text.length + 10);
  out.set(text);
  const view = new DataView(out.buffer);
  view.setBigUint64(text.length, toU64(kid, 'kid'));
  view.setUint16(text.length + 8, suite);
  return out;
}
export const sframeKeyLabel = (suite, kid) => label('SFrame 1.0 Secret key ', suite, kid);
export const sframeSaltLabel = (suite, kid) => label('SFrame 1.0 Secret salt ', suite, kid);

// WebCrypto's HKDF is Extract-then-Expand in one step; an empty salt is the
// RFC's HKDF-Extract("", base_key), and the label is Expand's info.
function hkdfParams(params, info) {
  return { name: 'HKDF', hash: params.hash, salt: kEmpty, info };
}

async function importBaseKey(baseKey) {
  if (globalThis.CryptoKey && baseKey instanceof globalThis.CryptoKey) {
    if (baseKey.algorithm.name !== 'HKDF') throw new TypeError('a CryptoKey base key must be an HKDF key');
    return baseKey;
  }
  const bytes = toBytes(baseKey, 'baseKey');
  if (bytes.length < kMinBaseKeyBytes) throw new RangeError(`baseKey must be at least ${kMinBaseKeyBytes} bytes`);
  return subtle.importKey('raw', bytes, 'HKDF', false, ['deriveBits', 'deriveKey']);
}

async function deriveBytes(params, info, hkdfKey, length) {
  return new Uint8Array(await subtle.deriveBits(hkdfParams(params, info), hkdfKey, length * 8));
}

// sframe_key and sframe_salt as bytes. The live path keeps keys inside
// WebCrypto; this is for test vectors and interop checks.
export async function deriveKeyAndSalt(suite, kid, baseKey) {
  const params = suiteParams(suite);
  const hkdfKey = await importBaseKey(baseKey);
  return {
    key: await deriveBytes(params, sframeKeyLabel(suite, kid), hkdfKey, params.nk),
    salt: await deriveBytes(params, sframeSaltLabel(suite, kid), hkdfKey, params.nn),
  };
}

// nonce = sframe_salt XOR CTR, CTR big-endian in the salt's length (§4.4.3).
export function makeNonce(salt, ctr) {
  const nonce = Uint8Array.from(toBytes(salt, 'salt'));
  let rest = toU64(ctr, 'ctr');
  for (let i = nonce.length - 1; rest > 0n; i--, rest >>= 8n) nonce[i] ^= Number(rest & 0xffn);
  return nonce;
}

// ---------------------------------------------------------------- AEADs (RFC 9605 §4.5)
//
// An AEAD object has seal(nonce, aad, plaintext) -> ciphertext || tag and
// open(nonce, aad, ciphertextAndTag) -> plaintext (throws SframeAuthError).
// `usage` is 'encrypt' or 'decrypt': §4.4.1 wants each key marked for one
// direction only, and WebCrypto then enforces it.

class GcmAead {
  #key;
  constructor(key) { this.#key = key; }

  async seal(nonce, aad, plaintext) {
    const params = { name: 'AES-GCM', iv: nonce, additionalData: aad, tagLength: 128 };
    return new Uint8Array(await subtle.encrypt(params, this.#key, plaintext));
  }

  async open(nonce, aad, ciphertext) {
    const params = { name: 'AES-GCM', iv: nonce, additionalData: aad, tagLength: 128 };
    try {
      return new Uint8Array(await subtle.decrypt(params, this.#key, ciphertext));
    } catch {
      throw new SframeAuthError();
    }
  }
}

// AES-CTR then HMAC over the lengths, nonce, AAD and ciphertext, truncated (§4.5.1).
class CtrHmacAead {
  #encKey;
  #authKey;
  #tagLength;
  constructor(encKey, authKey, tagLength) {
    this.#encKey = encKey;
    this.#authKey = authKey;
    this.#tagLength = tagLength;
  }

  async seal(nonce, aad, plaintext) {
    const ciphertext = await this.#ctr('encrypt', nonce, plaintext);
    return concat(ciphertext, await this.#tag(nonce, aad, ciphertext));
  }

  async open(nonce, aad, ciphertextAndTag) {
    const split = ciphertextAndTag.length - this.#tagLength;
    if (split < 0) throw new SframeAuthError();
    const ciphertext = ciphertextAndTag.subarray(0, split);
    // Decrypting whatever the tag check says makes a bad frame take as long
    // as a good one (§4.4.4); a bad frame's plaintext is never returned.
    const [expected, plaintext] = await Promise.all([
      this.#tag(nonce, aad, ciphertext),
      this.#ctr('decrypt', nonce, ciphertext),
    ]);
    if (!constantTimeEqual(expected, ciphertextAndTag.subarray(split))) throw new SframeAuthError();
    return plaintext;
  }

  // The counter block is the nonce followed by a 32-bit block counter from
  // zero. `operation` must match the key's usage (both compute the same).
  async #ctr(operation, nonce, data) {
    const counter = new Uint8Array(16);
    counter.set(nonce);
    const params = { name: 'AES-CTR', counter, length: 32 };
    return new Uint8Array(await subtle[operation](params, this.#encKey, data));
  }

  // HMAC(auth_key, len(aad) || len(ct) || Nt || nonce || aad || ct), lengths as u64.
  async #tag(nonce, aad, ciphertext) {
    const data = new Uint8Array(24 + nonce.length + aad.length + ciphertext.length);
    const view = new DataView(data.buffer);
    view.setBigUint64(0, BigInt(aad.length));
    view.setBigUint64(8, BigInt(ciphertext.length));
    view.setBigUint64(16, BigInt(this.#tagLength));
    data.set(nonce, 24);
    data.set(aad, 24 + nonce.length);
    data.set(ciphertext, 24 + nonce.length + aad.length);
    const mac = new Uint8Array(await subtle.sign('HMAC', this.#authKey, data));
    return mac.subarray(0, this.#tagLength);
  }
}

// The compound key of the AES-CTR suites: enc_key = first Nka bytes, auth_key = the rest.
export function splitCtrHmacKey(suite, sframeKey) {
  const params = suiteParams(suite);
  const key = toBytes(sframeKey, 'sframeKey');
  if (params.gcm || key.length !== params.nk) throw new RangeError('not an AES-CTR+HMAC key for this suite');
  return { encKey: key.slice(0, params.nka), authKey: key.slice(params.nka) };
}

// An AEAD from raw sframe_key bytes (non-extractable keys).
export async function importAead(suite, sframeKey, usage) {
  const params = suiteParams(suite);
  const key = toBytes(sframeKey, 'sframeKey');
  if (key.length !== params.nk) throw new RangeError(`sframeKey must be ${params.nk} bytes`);
  if (params.gcm) return new GcmAead(await subtle.importKey('raw', key, 'AES-GCM', false, [usage]));
  const { encKey, authKey } = splitCtrHmacKey(suite, key);
  try {
    const hmac = { name: 'HMAC', hash: params.hash };
    return new CtrHmacAead(
      await subtle.importKey('raw', encKey, 'AES-CTR', false, [usage]),
      await subtle.importKey('raw', authKey, hmac, false, ['sign']),
      params.nt);
  } finally {
    encKey.fill(0);
    authKey.fill(0);
  }
}

// The AEAD for one KID, derived from the HKDF base key.
async function deriveAead(params, kid, hkdfKey, usage) {
  const info = sframeKeyLabel(params.id, kid);
  if (params.gcm) {
    const algorithm = { name: 'AES-GCM', length: params.nk * 8 };
    return new GcmAead(await subtle.deriveKey(hkdfParams(params, info), hkdfKey, algorithm, false, [usage]));
  }
  const key = await deriveBytes(params, info, hkdfKey, params.nk);
  try {
    return await importAead(params.id, key, usage);
  } finally {
    key.fill(0);
  }
}

// Everything needed to seal or open frames under one (base key, KID).
async function deriveContext(params, kid, baseKey, usage) {
  const hkdfKey = await importBaseKey(baseKey);
  const [aead, salt] = await Promise.all([
    deriveAead(params, kid, hkdfKey, usage),
    deriveBytes(params, sframeSaltLabel(params.id, kid), hkdfKey, params.nn),
  ]);
  return { aead, salt };
}

// ---------------------------------------------------------------- sender

const kConstructToken = Symbol('SframeSender');

// Encrypts frames under one (base key, KID). The CTR starts at 0 (or at a
// stored next value, RFC 9605 §9.1) and is taken synchronously at each
// encrypt() call, so concurrent calls never share a (KID, CTR).
export class SframeSender {
  #params;
  #kid;
  #aead;
  #salt;
  #nextCtr;

  // options.counter: the next CTR to use, when resuming a stored context.
  static async create(suite, kid, baseKey, { counter = 0n } = {}) {
    const params = suiteParams(suite);
    kid = toU64(kid, 'kid');
    counter = toU64(counter, 'counter');
    const { aead, salt } = await deriveContext(params, kid, baseKey, 'encrypt');
    return new SframeSender(kConstructToken, params, kid, aead, salt, counter);
  }

  constructor(token, params, kid, aead, salt, counter) {
    if (token !== kConstructToken) throw new TypeError('use SframeSender.create()');
    this.#params = params;
    this.#kid = kid;
    this.#aead = aead;
    this.#salt = salt;
    this.#nextCtr = counter;
  }

  get suite() { return this.#params.id; }
  get kid() { return this.#kid; }
  // The CTR the next encrypt() will use (2^64 once exhausted); store it
  // before using it if the context must survive a restart (§9.1).
  get counter() { return this.#nextCtr; }

  // Returns header || ciphertext || tag. `metadata` is authenticated, not sent.
  async encrypt(plaintext, metadata = kEmpty) {
    const data = toBytes(plaintext, 'plaintext');
    const meta = toBytes(metadata, 'metadata');
    const ctr = this.#takeCounter();
    const header = encodeHeader(this.#kid, ctr);
    const sealed = await this.#aead.seal(makeNonce(this.#salt, ctr), concat(header, meta), data);
    return concat(header, sealed);
  }

  // A CTR is spent even if encryption then fails: never hand it out twice.
  #takeCounter() {
    if (this.#nextCtr > kMaxU64) throw new SframeCounterExhaustedError();
    return this.#nextCtr++;
  }
}

// ---------------------------------------------------------------- receiver

// Remembers which of the last `size` counters under one key were accepted
// (the SRTP replay list, RFC 3711 §3.3.2, applied to CTR as RFC 9605 §9.3
// suggests), so a relay cannot play a frame twice.
class ReplayWindow {
  #size;
  #seen;
  #highest = -1n;

  constructor(size) {
    this.#size = BigInt(size);
    this.#seen = new Uint8Array(size);
  }

  check(ctr) {
    if (ctr > this.#highest) return;
    if (this.#highest - ctr >= this.#size) throw new SframeReplayError(`CTR ${ctr} is older than the replay window`);
    if (this.#seen[this.#slot(ctr)]) throw new SframeReplayError(`CTR ${ctr} was already received`);
  }

  // Call only after the frame authenticated, so forged frames cannot move the window.
  accept(ctr) {
    this.check(ctr);
    if (ctr > this.#highest) this.#advance(ctr);
    this.#seen[this.#slot(ctr)] = 1;
  }

  #slot(ctr) { return Number(ctr % this.#size); }

  // Slots of counters leaving the window are reused by the ones entering it.
  #advance(ctr) {
    if (ctr - this.#highest >= this.#size) {
      this.#seen.fill(0);
    } else {
      for (let c = this.#highest + 1n; c <= ctr; c++) this.#seen[this.#slot(c)] = 0;
    }
    this.#highest = ctr;
  }
}

const kStatByCode = new Map([
  ['malformed', 'malformed'], ['unknown_kid', 'unknownKid'], ['auth_failed', 'authFailed'], ['replay', 'replayed'],
]);

// Decrypts frames from any KID it holds a key for, all under one cipher suite.
// Counts what it decrypted and why it dropped the rest (`stats`).
export class SframeReceiver {
  #params;
  #replayWindow;
  #keys = new Map();     // KID -> { aead, salt, replay }
  #pending = new Map();  // KID -> token of the latest addKey() still deriving
  #stats = { decrypted: 0, failed: 0, malformed: 0, unknownKid: 0, authFailed: 0, replayed: 0 };

  // options.replayWindow: counters of reordering tolerated per key; 0 turns
  // replay protection off.
  constructor(suite = DEFAULT_CIPHER_SUITE, { replayWindow = kDefaultReplayWindow } = {}) {
    this.#params = suiteParams(suite);
    if (!Number.isSafeInteger(replayWindow) || replayWindow < 0) throw new RangeError('bad replayWindow');
    this.#replayWindow = replayWindow;
  }

  get suite() { return this.#params.id; }
  get stats() { return { ...this.#stats }; }
  hasKey(kid) { return this.#keys.has(toU64(kid, 'kid')); }

  // Adds or replaces the key for `kid`. A removeKey() or a newer addKey() for
  // the same KID made while this one derives wins over it.
  async addKey(kid, baseKey) {
    kid = toU64(kid, 'kid');
    const token = Symbol('addKey');
    this.#pending.set(kid, token);
    try {
      const context = await deriveContext(this.#params, kid, baseKey, 'decrypt');
      if (this.#pending.get(kid) !== token) return;
      context.replay = this.#replayWindow > 0 ? new ReplayWindow(this.#replayWindow) : null;
      this.#keys.set(kid, context);
    } finally {
      if (this.#pending.get(kid) === token) this.#pending.delete(kid);
    }
  }

  // Forgets the key for `kid`; frames still being decrypted under it are refused.
  removeKey(kid) {
    kid = toU64(kid, 'kid');
    this.#pending.delete(kid);
    const context = this.#keys.get(kid);
    if (context) context.salt.fill(0);
    return this.#keys.delete(kid);
  }

  // Returns the plaintext, or throws (and counts) an SframeError.
  async decrypt(frame, metadata = kEmpty) {
    try {
      const plaintext = await this.#open(toBytes(frame, 'frame'), toBytes(metadata, 'metadata'));
      this.#stats.decrypted++;
      return plaintext;
    } catch (error) {
      this.#count(error);
      throw error;
    }
  }

  async #open(bytes, metadata) {
    const { kid, ctr, headerLength } = decodeHeader(bytes);
    const context = this.#keys.get(kid);
    if (!context) throw new SframeUnknownKidError(kid);
    if (bytes.length - headerLength < this.#params.nt) throw new SframeParseError('frame shorter than its tag');
    context.replay?.check(ctr);  // drops a replay before spending a decryption on it
    const header = bytes.subarray(0, headerLength);
    const plaintext = await context.aead.open(
      makeNonce(context.salt, ctr), concat(header, metadata), bytes.subarray(headerLength));
    // Keys can change while WebCrypto works: nothing decrypts under a key
    // after removeKey() returned.
    if (this.#keys.get(kid) !== context) throw new SframeUnknownKidError(kid);
    context.replay?.accept(ctr);  // a concurrent decrypt of the same frame may have won
    return plaintext;
  }

  #count(error) {
    this.#stats.failed++;
    const reason = error instanceof SframeError ? kStatByCode.get(error.code) : undefined;
    if (reason) this.#stats[reason]++;
  }
}

// Sealing sender keys to one recipient (docs/e2ee.md §3). The server relays
// the sealed blobs; only the recipient can open them, and only as a key from
// that sender in that room.
//
//   shared   = ECDH(S.private, R.public)                       32-byte x coordinate
//   seal_key = HKDF-SHA256(shared, salt "aegis-e2ee-v1",
//                          info "aegis-e2ee-v1 seal" 0 room 0 S 0 R, 32)
//   aad      = "aegis-e2ee-v1" 0 room 0 S 0 R
//   blob     = 0x01 || nonce (12 random) || AES-256-GCM(seal_key, nonce, aad, payload)
//
//   payload (26 bytes for suite 0x0004):
//     version 0x01 | type 0x01 | suite u16 | kid u32 | flags u8 | key length u8 | key
//     flags bit 0: the key is a ratchet step (sent to a joiner); other bits 0.
//
// Binding room, sender and recipient into both the key and the AAD means a
// blob opened anywhere else (another room, reflected back to its sender,
// redirected to a third participant, claimed by another `from`) fails.

import { deriveKid, SENDER_KEY_BYTES } from './e2ee_keyring.js';

const subtle = globalThis.crypto.subtle;
const encoder = new TextEncoder();

export const BLOB_VERSION = 0x01;
export const PAYLOAD_VERSION = 0x01;
export const PAYLOAD_TYPE_SENDER_KEY = 0x01;
export const FLAG_RATCHETED = 0x01;
export const SUITE_AES_128_GCM_SHA256_128 = 0x0004;
const kNonceBytes = 12;
const kTagBytes = 16;
const kPayloadHeaderBytes = 10;
export const PAYLOAD_BYTES = kPayloadHeaderBytes + SENDER_KEY_BYTES;  // 26
export const BLOB_BYTES = 1 + kNonceBytes + PAYLOAD_BYTES + kTagBytes;  // 55

const kLabel = 'aegis-e2ee-v1';
// Ids never contain 0x00 (protocol.md: [A-Za-z0-9_-]), so the joined
// strings below cannot be read two ways.
const kIdPattern = /^[A-Za-z0-9_-]{1,64}$/;

// Why a blob was refused; `code` is stable for counters and tests.
export class SealError extends Error {
  constructor(code, message) {
    super(message);
    this.name = 'SealError';
    this.code = code;
  }
}

function checkIds(room, from, to) {
  for (const [name, id] of [['room', room], ['from', from], ['to', to]]) {
    if (typeof id !== 'string' || !kIdPattern.test(id)) throw new TypeError(`${name} must be an id of [A-Za-z0-9_-]`);
  }
}

function joined(...parts) {
  return encoder.encode(parts.join('\0'));
}

// The AES-256-GCM key for one direction (from -> to) in one room.
async function sealKey(privateKey, peerPublicKey, room, from, to) {
  const shared = await subtle.deriveBits({ name: 'ECDH', public: peerPublicKey }, privateKey, 256);
  try {
    const ikm = await subtle.importKey('raw', shared, 'HKDF', false, ['deriveKey']);
    const params = {
      name: 'HKDF', hash: 'SHA-256', salt: encoder.encode(kLabel), info: joined(`${kLabel} seal`, room, from, to),
    };
    return await subtle.deriveKey(params, ikm, { name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
  } finally {
    new Uint8Array(shared).fill(0);
  }
}

function aadFor(room, from, to) {
  return joined(kLabel, room, from, to);
}

// ---------------------------------------------------------------- payload

export function encodeKeyPayload({ kid, key, ratcheted = false }) {
  if (!(key instanceof Uint8Array) || key.length !== SENDER_KEY_BYTES) throw new TypeError('bad sender key');
  if (!Number.isInteger(kid) || kid < 0 || kid > 0xffffffff) throw new RangeError('kid must be a u32');
  const out = new Uint8Array(PAYLOAD_BYTES);
  const view = new DataView(out.buffer);
  out[0] = PAYLOAD_VERSION;
  out[1] = PAYLOAD_TYPE_SENDER_KEY;
  view.setUint16(2, SUITE_AES_128_GCM_SHA256_128);
  view.setUint32(4, kid);
  out[8] = ratcheted ? FLAG_RATCHETED : 0;
  out[9] = key.length;
  out.set(key, kPayloadHeaderBytes);
  return out;
}

// Strict: every field must have the one value this version knows, so a
// future format is refused rather than misread.
export function decodeKeyPayload(bytes) {
  if (bytes.length !== PAYLOAD_BYTES) throw new SealError('bad_payload', `payload is ${bytes.length} bytes, not ${PAYLOAD_BYTES}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes[0] !== PAYLOAD_VERSION) throw new SealError('bad_payload', `payload version ${bytes[0]}`);
  if (bytes[1] !== PAYLOAD_TYPE_SENDER_KEY) throw new SealError('bad_payload', `payload type ${bytes[1]}`);
  const suite = view.getUint16(2);
  if (suite !== SUITE_AES_128_GCM_SHA256_128) throw new SealError('bad_payload', `suite ${suite}`);
  if ((bytes[8] & ~FLAG_RATCHETED) !== 0) throw new SealError('bad_payload', `unknown flags ${bytes[8]}`);
  if (bytes[9] !== SENDER_KEY_BYTES) throw new SealError('bad_payload', `key length ${bytes[9]}`);
  return {
    suite,
    kid: view.getUint32(4),
    ratcheted: (bytes[8] & FLAG_RATCHETED) !== 0,
    key: bytes.slice(kPayloadHeaderBytes),
  };
}

// ---------------------------------------------------------------- seal / open

// The blob for `to`: our private key, their public key.
export async function sealSenderKey({ privateKey, peerPublicKey, room, from, to, kid, key, ratcheted = false }) {
  checkIds(room, from, to);
  const payload = encodeKeyPayload({ kid, key, ratcheted });
  try {
    const aesKey = await sealKey(privateKey, peerPublicKey, room, from, to);
    const nonce = crypto.getRandomValues(new Uint8Array(kNonceBytes));
    const sealed = new Uint8Array(await subtle.encrypt(
      { name: 'AES-GCM', iv: nonce, additionalData: aadFor(room, from, to), tagLength: 128 }, aesKey, payload));
    const blob = new Uint8Array(1 + kNonceBytes + sealed.length);
    blob[0] = BLOB_VERSION;
    blob.set(nonce, 1);
    blob.set(sealed, 1 + kNonceBytes);
    return blob;
  } finally {
    payload.fill(0);
  }
}

// Opens a blob that `from` sealed to `to` (us): our private key, their
// public key. Returns { kid, key, ratcheted } or throws SealError.
export async function openSenderKey({ privateKey, peerPublicKey, room, from, to, blob }) {
  checkIds(room, from, to);
  if (!(blob instanceof Uint8Array) || blob.length !== BLOB_BYTES) {
    throw new SealError('bad_blob', `a sealed sender key is ${BLOB_BYTES} bytes`);
  }
  if (blob[0] !== BLOB_VERSION) throw new SealError('bad_blob', `blob version ${blob[0]}`);
  const aesKey = await sealKey(privateKey, peerPublicKey, room, from, to);
  let payload;
  try {
    payload = new Uint8Array(await subtle.decrypt(
      { name: 'AES-GCM', iv: blob.subarray(1, 1 + kNonceBytes), additionalData: aadFor(room, from, to), tagLength: 128 },
      aesKey, blob.subarray(1 + kNonceBytes)));
  } catch {
    throw new SealError('auth_failed', 'the blob does not open (wrong sender, recipient, room or key, or altered)');
  }
  try {
    const result = decodeKeyPayload(payload);
    if ((await deriveKid(result.key)) !== result.kid) {
      result.key.fill(0);
      throw new SealError('kid_mismatch', 'the KID does not belong to the key');
    }
    return result;
  } finally {
    payload.fill(0);
  }
}

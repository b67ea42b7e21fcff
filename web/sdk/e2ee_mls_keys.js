// E2EE v2 frame keys and verification codes from an MLS group (docs/protocol.md
// §7; RFC 9605 §5.2 "MLS"). No MLS library and no DOM here, only WebCrypto and
// sframe.js, so that the SFrame worker can import this module without the
// ts-mls bundle.
//
// Frame keys. Every epoch of the group has one SFrame base key,
//   base_key = MLS-Exporter("SFrame 1.0 Base Key", "", 16)
// (16 = Nk of the SFrame suite, AES_128_GCM_SHA256_128 = 0x0004; the exporter
// itself lives with the group state, e2ee_mls.js exportFrameBaseKey). A
// sender's key and salt for one track are RFC 9605's derivation from
// (base_key, KID) (sframe.js deriveKeyAndSalt, or SframeSender.create /
// SframeReceiver.addKey, which derive the same inside WebCrypto), with
//   KID = (context << (S + E)) + (leaf << E) + (epoch mod 2^E),   E = 4, S = 16
// - E = 4: up to 16 epochs can be told apart at a receiver, far more than the
//   one or two that overlap while a commit spreads. RFC 9605: a receiver that
//   installs an epoch removes the older epoch with the same low E bits.
// - S = 16, fixed: the RFC's S is "the smallest value such that group_size <=
//   1 << S", but the group size changes with every join and leave and members
//   learn of it at slightly different times; a fixed S means every member
//   parses every KID the same way at any moment. 16 bits hold 65,536 leaves,
//   far above the server's 256 participants per room.
// - context: chosen by the sender per track, so that two tracks of one sender
//   never share a KID and hence never a (key, CTR) space. A sender numbers its
//   own (FrameContexts): screen-share tracks take the contexts = 2 mod 4 (2,
//   6, 10, ...), every other track the rest in order (0, 1, 3, 4, 5, 7, ...),
//   so a camera and microphone published first are 0 and 1 and the first
//   screen share is 2 (FrameContext). A receiver reads a track's source from
//   the KIDs of the frames it decrypts (isScreenContext): the KID is SFrame
//   AAD, so only a member holding the epoch's key can mark a track as a
//   screen, and the server cannot move the mark to another track.
// KIDs of context 0..3 stay below 2^22, i.e. 3 bytes in the SFrame header.
//
// Codes people compare aloud:
// - room code: 30 decimal digits in 6 groups of 5 from the MLS epoch
//   authenticator (RFC 9420 §8.7), each group a big-endian 5-byte chunk mod
//   100000 (as Discord's DAVE does). Equal codes mean the same group secret and
//   the same group context (member leaves, keys, extensions) in this epoch.
//   6 x log2(10^5) = 99.66 bits (ROOM_CODE_BITS): a server that splits a call
//   into two groups must make two epoch authenticators it cannot choose agree
//   on ~2^99.66 values; it can only try, never steer.
// - pairwise code: 30 digits from two members' signature keys and credentials,
//   sorted so both compute the same, through PBKDF2-HMAC-SHA-512 with 2^16
//   iterations. Stable across calls (persistent signature keys): verify once.
//   What it resists: a server that shows Alice a fake Bob key B' and Bob a fake
//   Alice key A' needs code(A, B') = code(A', B); with both keys known in
//   advance it can search both sides at once (a birthday search), about
//   2^(99.66/2) = 2^49.8 tries of 2^16 iterations each, ~2^66 HMACs. The room
//   code has no such shortcut (it depends on fresh epoch secrets). Renaming
//   oneself changes the credential, hence one's pairwise codes.
// Neither code uses a value that the server picks alone.

import { CipherSuite, deriveKeyAndSalt } from './sframe.js';

export const FRAME_SUITE = CipherSuite.AES_128_GCM_SHA256_128;
export const FRAME_BASE_KEY_LABEL = 'SFrame 1.0 Base Key';
export const FRAME_BASE_KEY_BYTES = 16;  // Nk of FRAME_SUITE
export const KID_EPOCH_BITS = 4;          // E
export const KID_LEAF_BITS = 16;          // S
export const KID_MAX_CONTEXT = 2 ** (64 - KID_LEAF_BITS - KID_EPOCH_BITS) - 1;
export const FrameContext = Object.freeze({ AUDIO: 0, VIDEO: 1, SCREEN: 2 });

// Whether frames with this KID context come from a screen share.
export function isScreenContext(context) {
  return Number.isSafeInteger(context) && context >= 0 && context % 4 === FrameContext.SCREEN;
}

// One sender's context numbering: take() for a camera or microphone track,
// take({ screen: true }) for a screen share. Never returns a context twice.
export class FrameContexts {
  #other = 0;
  #screen = FrameContext.SCREEN;

  take({ screen = false } = {}) {
    if (screen) {
      const c = this.#screen;
      this.#screen += 4;
      return c;
    }
    const c = this.#other;
    this.#other += isScreenContext(c + 1) ? 2 : 1;
    return c;
  }
}

export const CODE_GROUPS = 6;
export const CODE_GROUP_DIGITS = 5;
export const ROOM_CODE_BITS = CODE_GROUPS * CODE_GROUP_DIGITS * Math.log2(10);  // 99.66
export const PAIRWISE_CODE_ITERATIONS = 2 ** 16;

const kEpochMask = (1n << BigInt(KID_EPOCH_BITS)) - 1n;
const kLeafMask = (1n << BigInt(KID_LEAF_BITS)) - 1n;
const kMaxU64 = (1n << 64n) - 1n;

function toBigInt(value, name, max) {
  const v = typeof value === 'bigint' ? value : Number.isSafeInteger(value) ? BigInt(value) : null;
  if (v === null || v < 0n || v > max) throw new RangeError(`${name} must be an integer in 0..${max}`);
  return v;
}

// The KID of one track of the member at `leaf` in `epoch` (a bigint, as
// sframe.js returns KIDs). `epoch` is the full MLS epoch; only its low E bits
// go in.
export function frameKid({ context, leaf, epoch }) {
  const c = toBigInt(context, 'context', BigInt(KID_MAX_CONTEXT));
  const l = toBigInt(leaf, 'leaf', kLeafMask);
  const e = toBigInt(epoch, 'epoch', kMaxU64);
  return (c << BigInt(KID_LEAF_BITS + KID_EPOCH_BITS)) | (l << BigInt(KID_EPOCH_BITS)) | (e & kEpochMask);
}

// { context, leaf, epochBits } of a KID (numbers); the receiver maps
// epochBits to the epoch it holds with those low bits.
export function parseFrameKid(kid) {
  const k = toBigInt(kid, 'kid', kMaxU64);
  return {
    context: Number(k >> BigInt(KID_LEAF_BITS + KID_EPOCH_BITS)),
    leaf: Number((k >> BigInt(KID_EPOCH_BITS)) & kLeafMask),
    epochBits: Number(k & kEpochMask),
  };
}

// The low E bits of an epoch, as parseFrameKid reports them.
export function epochBitsOf(epoch) {
  return Number(toBigInt(epoch, 'epoch', kMaxU64) & kEpochMask);
}

// { key, salt } (bytes) for (base_key, KID): RFC 9605 §4.4.2 through
// sframe.js, under FRAME_SUITE. The worker's live path hands the same pair to
// SframeSender.create(FRAME_SUITE, kid, baseKey) / SframeReceiver.addKey(kid,
// baseKey), which derive these inside WebCrypto without exposing them.
export async function deriveFrameKeyAndSalt(baseKey, kid) {
  if (!(baseKey instanceof Uint8Array) || baseKey.length !== FRAME_BASE_KEY_BYTES) {
    throw new TypeError(`an MLS frame base key is ${FRAME_BASE_KEY_BYTES} bytes`);
  }
  return deriveKeyAndSalt(FRAME_SUITE, kid, baseKey);
}

// ---------------------------------------------------------------- codes

// 30 digits as 6 groups of 5 ("01234 56789 ..."), each group a big-endian
// 5-byte chunk of `bytes` mod 100000. The mod bias is below 1e-7 per group.
export function codeFromBytes(bytes) {
  if (!(bytes instanceof Uint8Array) || bytes.length < CODE_GROUPS * 5) {
    throw new TypeError(`a code needs at least ${CODE_GROUPS * 5} bytes`);
  }
  const groups = [];
  for (let g = 0; g < CODE_GROUPS; g++) {
    let chunk = 0;
    for (let i = 0; i < 5; i++) chunk = chunk * 256 + bytes[g * 5 + i];  // < 2^40, exact in a double
    groups.push(String(chunk % 10 ** CODE_GROUP_DIGITS).padStart(CODE_GROUP_DIGITS, '0'));
  }
  return groups.join(' ');
}

// The room code of an epoch from its epoch authenticator (32 bytes for suite
// 1, 64 for suite 83; the first 30 are used).
export function roomCode(epochAuthenticator) {
  return codeFromBytes(epochAuthenticator);
}

const kPairwiseLabel = new TextEncoder().encode('aegis-e2ee-v2 pairwise code');

// RFC 9420 variable-length vector: a QUIC-style varint length, then the bytes.
export function encodeVector(bytes) {
  const n = bytes.length;
  let head;
  if (n < 0x40) head = [n];
  else if (n < 0x4000) head = [0x40 | (n >> 8), n & 0xff];
  else if (n < 0x40000000) head = [0x80 | (n >>> 24), (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
  else throw new RangeError('vector too long');
  const out = new Uint8Array(head.length + n);
  out.set(head);
  out.set(bytes, head.length);
  return out;
}

export function concatBytes(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export function compareBytes(a, b) {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

// The pairwise code of two members, each { signatureKey, credential } (raw
// Ed25519 public key; the basic credential's identity bytes, i.e.
// identity<V> || name<V>). Symmetric: pairwiseCode(a, b) === pairwiseCode(b, a).
export async function pairwiseCode(a, b) {
  const entry = (m) => {
    if (!(m?.signatureKey instanceof Uint8Array) || !(m?.credential instanceof Uint8Array)) {
      throw new TypeError('a member is { signatureKey: Uint8Array, credential: Uint8Array }');
    }
    return concatBytes(encodeVector(m.signatureKey), encodeVector(m.credential));
  };
  const [low, high] = [entry(a), entry(b)].sort(compareBytes);
  const input = concatBytes(encodeVector(low), encodeVector(high));
  const subtle = globalThis.crypto.subtle;
  const key = await subtle.importKey('raw', input, 'PBKDF2', false, ['deriveBits']);
  const bits = await subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-512', salt: kPairwiseLabel, iterations: PAIRWISE_CODE_ITERATIONS }, key, 30 * 8);
  return codeFromBytes(new Uint8Array(bits));
}

// E2EE v2 on MLS (RFC 9420, docs/protocol.md §7): the parts of a member that
// are functions of an MLS group state, over ts-mls (bundled from node_modules
// into ./mls_vendor.js by scripts/build-web.sh; the Node tests import the same
// bundle). The member's state machine is e2ee_mls_member.js; frame keys and
// codes without ts-mls are e2ee_mls_keys.js.
//
// Cipher suites: MLS_256_XWING_AES256GCM_SHA512_Ed25519 (83, post-quantum
// hybrid KEM) and MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519 (1). Both sign
// with Ed25519, so one persistent signature key serves either.
//
// Credential (§7): basic, identity = identity<V> || name<V> (MLS variable-
// length vectors of UTF-8): the token's `sub` and display name.

import * as mls from './mls_vendor.js';
import {
  FRAME_BASE_KEY_BYTES, FRAME_BASE_KEY_LABEL, compareBytes, concatBytes, encodeVector, roomCode,
} from './e2ee_mls_keys.js';

export { generateSignatureKeyPair } from './e2ee_identity_store.js';

export const MlsSuite = Object.freeze({
  XWING: 83,   // MLS_256_XWING_AES256GCM_SHA512_Ed25519
  X25519: 1,   // MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519
});
// The suite a room uses unless configured otherwise (docs/benchmarks.md, "MLS":
// X-Wing is within the latency budgets on the reference machine).
export const DEFAULT_MLS_SUITE = MlsSuite.XWING;
export const CHAT_MAX_CHARS = 4000;      // UTF-16 code units, so at most 12,000 UTF-8 bytes
export const SERVER_SENDER_IDENTITY = 'aegis-server';
const kChatText = 0x01;                  // application data: type byte, then the payload

const utf8 = new TextEncoder();
const utf8Strict = new TextDecoder('utf-8', { fatal: true });

// ---------------------------------------------------------------- errors

// Every refusal this layer makes on purpose; `code` is stable for callers.
export class MlsError extends Error {
  constructor(code, message) {
    super(message);
    this.name = 'MlsError';
    this.code = code;
  }
}

// ---------------------------------------------------------------- suites

const kSuites = new Map();

// ts-mls's implementation of suite `id` (1 or 83), loaded once.
export function loadSuite(id) {
  if (id !== MlsSuite.XWING && id !== MlsSuite.X25519) throw new MlsError('bad_suite', `MLS suite ${id} is not offered`);
  if (!kSuites.has(id)) kSuites.set(id, mls.getCiphersuiteImpl(mls.getCiphersuiteFromId(id)));
  return kSuites.get(id);
}

export function suiteName(id) {
  return mls.getCiphersuiteNameFromId(id);
}

// ts-mls signs with raw private-key bytes (CiphersuiteImpl.signature.sign(
// signKey: Uint8Array, message)). To keep the Ed25519 key non-extractable,
// the suite is wrapped: its sign() recognises an opaque handle that stands in
// for the key inside ts-mls's state and signs with the CryptoKey. The handle
// is neither 32 bytes nor PKCS#8, so should it ever reach ts-mls's own signer
// that fails rather than signing with something else. A raw 32-byte private
// key (tests, benchmarks) passes through unwrapped.
const kHandleTag = utf8.encode('aegis-webcrypto-ed25519:');
export function signingSuite(cs, keyPair) {
  if (keyPair.privateKey instanceof Uint8Array) return { cs, signKey: keyPair.privateKey };
  const cryptoKey = keyPair.privateKey;
  if (cryptoKey?.algorithm?.name !== 'Ed25519' || !cryptoKey.usages.includes('sign')) {
    throw new TypeError('the private key must be an Ed25519 CryptoKey for signing (or 32 raw bytes)');
  }
  const handle = concatBytes(kHandleTag, globalThis.crypto.getRandomValues(new Uint8Array(16)));
  const inner = cs.signature;
  const signature = {
    ...inner,
    async sign(signKey, message) {
      if (signKey.length === handle.length && compareBytes(signKey, handle) === 0) {
        return new Uint8Array(await globalThis.crypto.subtle.sign('Ed25519', cryptoKey, message));
      }
      return inner.sign(signKey, message);
    },
  };
  return { cs: { ...cs, signature }, signKey: handle };
}

// ---------------------------------------------------------------- credential

// RFC 9420 §2.1.2 varint, minimal encoding required. Returns [value, next].
function readVarint(bytes, at) {
  if (at >= bytes.length) throw new MlsError('bad_credential', 'truncated vector length');
  const prefix = bytes[at] >> 6;
  if (prefix === 3) throw new MlsError('bad_credential', 'invalid vector length prefix');
  const size = 1 << prefix;
  if (at + size > bytes.length) throw new MlsError('bad_credential', 'truncated vector length');
  let value = bytes[at] & 0x3f;
  for (let i = 1; i < size; i++) value = value * 256 + bytes[at + i];
  if ((size === 2 && value < 0x40) || (size === 4 && value < 0x4000)) {
    throw new MlsError('bad_credential', 'vector length not minimally encoded');
  }
  return [value, at + size];
}

function readVector(bytes, at) {
  const [n, start] = readVarint(bytes, at);
  if (start + n > bytes.length) throw new MlsError('bad_credential', 'truncated vector');
  return [bytes.subarray(start, start + n), start + n];
}

// The credential identity bytes for (identity, name).
export function encodeCredential(identity, name) {
  if (typeof identity !== 'string' || identity === '' || typeof name !== 'string') {
    throw new TypeError('identity is a non-empty string, name a string');
  }
  return concatBytes(encodeVector(utf8.encode(identity)), encodeVector(utf8.encode(name)));
}

// { identity, name } from credential identity bytes; throws MlsError on
// anything but exactly two vectors of valid UTF-8 with a non-empty identity.
export function decodeCredential(bytes) {
  const [id, next] = readVector(bytes, 0);
  const [name, end] = readVector(bytes, next);
  if (end !== bytes.length) throw new MlsError('bad_credential', 'trailing bytes after the name');
  let identity;
  let nameText;
  try {
    identity = utf8Strict.decode(id);
    nameText = utf8Strict.decode(name);
  } catch {
    throw new MlsError('bad_credential', 'credential is not UTF-8');
  }
  if (identity === '') throw new MlsError('bad_credential', 'empty identity');
  return { identity, name: nameText };
}

// ts-mls client configuration for our groups:
// - credentials must be basic and either ours (identity<V> || name<V>) or the
//   server's external sender (identity "aegis-server" with its key);
// - no old epochs' receiver secrets are kept (retainKeysForEpochs 0): nothing
//   from an epoch we left can be decrypted later, chat included.
export function makeClientConfig({ externalSenderKey } = {}) {
  const serverIdentity = utf8.encode(SERVER_SENDER_IDENTITY);
  return {
    ...mls.defaultClientConfig,
    keyRetentionConfig: { ...mls.defaultClientConfig.keyRetentionConfig, retainKeysForEpochs: 0 },
    authService: {
      async validateCredential(credential, signaturePublicKey) {
        if (credential.credentialType !== 'basic') return false;
        if (externalSenderKey && compareBytes(signaturePublicKey, externalSenderKey) === 0) {
          return compareBytes(credential.identity, serverIdentity) === 0;
        }
        try {
          decodeCredential(credential.identity);
          return true;
        } catch {
          return false;
        }
      },
    },
  };
}

// ---------------------------------------------------------------- key packages

// A KeyPackage for the member (identity, name) signed with `signatureKeyPair`
// ({ publicKey: 32 bytes, privateKey: CryptoKey or 32 raw bytes }).
// Returns { message: the TLS-encoded MLSMessage for join.key_package,
// publicPackage, privatePackage, cs: the suite that signs with the pair }.
export async function generateKeyPackage({ suite = DEFAULT_MLS_SUITE, identity, name = '', signatureKeyPair }) {
  const { cs, signKey } = signingSuite(await loadSuite(suite), signatureKeyPair);
  const credential = { credentialType: 'basic', identity: encodeCredential(identity, name) };
  const { publicPackage, privatePackage } = await mls.generateKeyPackageWithKey(
    credential, mls.defaultCapabilities(), mls.defaultLifetime, [],
    { signKey, publicKey: signatureKeyPair.publicKey }, cs);
  const message = mls.encodeMlsMessage({ version: 'mls10', wireformat: 'mls_key_package', keyPackage: publicPackage });
  return { message, publicPackage, privatePackage, cs };
}

// The KeyPackage in an encoded MLSMessage, checked for suite `suite` and a
// credential of our form: { keyPackage, identity, name, bytes (the
// KeyPackage's own encoding, for comparisons) }. Throws MlsError.
export function decodeKeyPackageMessage(bytes, suite) {
  const decoded = decodeMessage(bytes);
  if (decoded.wireformat !== 'mls_key_package') throw new MlsError('bad_key_package', 'not a KeyPackage');
  const keyPackage = decoded.keyPackage;
  if (keyPackage.cipherSuite !== suiteName(suite)) throw new MlsError('bad_key_package', 'KeyPackage of another suite');
  const credential = keyPackage.leafNode.credential;
  if (credential.credentialType !== 'basic') throw new MlsError('bad_key_package', 'not a basic credential');
  const { identity, name } = decodeCredential(credential.identity);
  return { keyPackage, identity, name, bytes: mls.encodeKeyPackage(keyPackage) };
}

// One whole MLSMessage, nothing after it.
export function decodeMessage(bytes) {
  let result;
  try {
    result = mls.decodeMlsMessage(bytes, 0);
  } catch {
    result = undefined;
  }
  if (!result || result[1] !== bytes.length) throw new MlsError('malformed', 'not one MLSMessage');
  return result[0];
}

export function encodeMessage(message) {
  return mls.encodeMlsMessage({ version: 'mls10', ...message });
}

// ---------------------------------------------------------------- group state

export function groupEpoch(state) {
  return state.groupContext.epoch;  // bigint
}

export function epochAuthenticator(state) {
  return state.keySchedule.epochAuthenticator;
}

export function roomCodeOf(state) {
  return roomCode(epochAuthenticator(state));
}

// RFC 9605 §5.2: the epoch's SFrame base key, MLS-Exporter("SFrame 1.0 Base
// Key", "", 16).
export function exportFrameBaseKey(state, cs) {
  return mls.mlsExporter(state.keySchedule.exporterSecret, FRAME_BASE_KEY_LABEL, new Uint8Array(0), FRAME_BASE_KEY_BYTES, cs);
}

// The group's members from its ratchet tree: [{ leaf, identity, name,
// credential (identity bytes), signatureKey, encryptionKey }], by leaf.
// A leaf whose credential is not of our form has identity null.
export function rosterOf(state) {
  const out = [];
  const tree = state.ratchetTree;
  for (let node = 0; node < tree.length; node += 2) {
    const entry = tree[node];
    if (entry?.nodeType !== 'leaf') continue;
    const leafNode = entry.leaf;
    let identity = null;
    let name = null;
    if (leafNode.credential.credentialType === 'basic') {
      try {
        ({ identity, name } = decodeCredential(leafNode.credential.identity));
      } catch { /* identity stays null */ }
    }
    out.push({
      leaf: node / 2, identity, name,
      credential: leafNode.credential.credentialType === 'basic' ? leafNode.credential.identity : new Uint8Array(0),
      signatureKey: leafNode.signaturePublicKey, encryptionKey: leafNode.hpkePublicKey,
    });
  }
  return out;
}

export function ownLeaf(state) {
  return state.privatePath.leafIndex;
}

// The roster against the server's participant list ([{ id, identity, name }],
// the member itself included):
// - unencrypted: participants with no leaf of their identity (in the call,
//   not in the group: they cannot decrypt, and what they send is not E2EE);
// - ghosts: leaves whose identity is not in the call (or not of our form):
//   whoever holds them decrypts everything;
// - mismatched: leaves whose identity is in the call under another name, or
//   that share an identity with another leaf.
// ok: all three empty.
export function checkRoster(roster, participants) {
  const byIdentity = new Map(participants.map((p) => [p.identity, p]));
  const seen = new Map();
  const ghosts = [];
  const mismatched = [];
  for (const m of roster) {
    const p = m.identity === null ? undefined : byIdentity.get(m.identity);
    if (!p) {
      ghosts.push(m);
      continue;
    }
    if (seen.has(m.identity) || (p.name ?? '') !== m.name) mismatched.push(m);
    seen.set(m.identity, m);
  }
  const unencrypted = participants.filter((p) => !seen.has(p.identity));
  return { ok: !unencrypted.length && !ghosts.length && !mismatched.length, unencrypted, ghosts, mismatched };
}

// ---------------------------------------------------------------- chat

export function encodeChat(text) {
  if (typeof text !== 'string' || text === '') throw new MlsError('bad_chat', 'chat text is a non-empty string');
  if (text.length > CHAT_MAX_CHARS) throw new MlsError('bad_chat', `chat text is at most ${CHAT_MAX_CHARS} characters`);
  return concatBytes([kChatText], utf8.encode(text));
}

export function decodeChat(bytes) {
  if (bytes.length < 2 || bytes[0] !== kChatText) throw new MlsError('bad_chat', 'not a chat message');
  let text;
  try {
    text = utf8Strict.decode(bytes.subarray(1));
  } catch {
    throw new MlsError('bad_chat', 'chat text is not UTF-8');
  }
  if (text.length > CHAT_MAX_CHARS) throw new MlsError('bad_chat', 'chat text too long');
  return text;
}

// Wipes secrets ts-mls reports as consumed.
export function wipe(consumed) {
  for (const bytes of consumed ?? []) mls.zeroOutUint8Array(bytes);
}

export { mls };

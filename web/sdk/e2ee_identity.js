// E2EE identity keys (docs/e2ee.md §3): one ECDH P-256 pair per session,
// made at join. The private key never leaves WebCrypto (non-extractable);
// the public key travels as its raw uncompressed point (65 bytes) in
// join.identity_key, base64url-encoded like every blob (docs/protocol.md §1).

const subtle = globalThis.crypto.subtle;

const kEcdh = { name: 'ECDH', namedCurve: 'P-256' };
export const IDENTITY_KEY_BYTES = 65;  // 0x04 || X (32) || Y (32)

// { privateKey, publicKey, publicRaw }. Only deriveBits is allowed: the pair
// exists to agree on sealing keys, nothing else.
export async function generateIdentity() {
  const pair = await subtle.generateKey(kEcdh, false, ['deriveBits']);
  const publicRaw = new Uint8Array(await subtle.exportKey('raw', pair.publicKey));
  return { privateKey: pair.privateKey, publicKey: pair.publicKey, publicRaw };
}

// Another participant's public key from its raw form. Throws on anything
// but an uncompressed point on P-256 (WebCrypto checks the curve), so a
// malformed key from the server fails here, not later inside a seal.
export async function importIdentityPublicKey(raw) {
  if (!(raw instanceof Uint8Array) || raw.length !== IDENTITY_KEY_BYTES || raw[0] !== 0x04) {
    throw new TypeError('an identity key is a 65-byte uncompressed P-256 point');
  }
  return subtle.importKey('raw', raw, kEcdh, true, []);
}

// Canonical unpadded base64url (RFC 4648 §5), the protocol's blob encoding.
export function base64UrlEncode(bytes) {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

// Refuses anything the server would refuse (padding, other alphabets,
// non-zero unused bits), so both sides agree on what a blob is.
export function base64UrlDecode(text) {
  if (typeof text !== 'string' || !/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) {
    throw new TypeError('not unpadded base64url');
  }
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4));
  const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  if (base64UrlEncode(bytes) !== text) throw new TypeError('not canonical base64url');
  return bytes;
}

// Blob encoding of the protocol (docs/protocol.md §1): canonical unpadded
// base64url (RFC 4648 §5), for KeyPackages, MLS messages and group ids; and
// lowercase hex, for keys shown to tests and stored as text.

export function toHex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
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

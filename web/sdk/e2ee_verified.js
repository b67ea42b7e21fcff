// Members this browser has verified (docs/e2ee.md §5): identity -> the
// signature public key it had when the pairwise codes matched. Kept across
// calls so that a verified member shows as verified next time, and a
// different key for a verified identity is reported loudly.
//
// Public keys only: nothing here is secret, but it must not be changed by
// anyone else, so it lives in this origin's localStorage (memory when there
// is none, e.g. in Node tests or a sandboxed frame).

import { toHex } from './e2ee_identity.js';

const kPrefix = 'aegis.e2ee.verified.';

export class VerifiedKeys {
  #storage;
  #memory = new Map();

  constructor({ storage = globalThis.localStorage ?? null } = {}) {
    this.#storage = storage;
  }

  // 'verified' | 'changed' (verified before, with another key) | 'unverified'.
  check(identity, signatureKey) {
    if (typeof identity !== 'string' || !(signatureKey instanceof Uint8Array)) return 'unverified';
    const stored = this.#get(identity);
    if (stored === null) return 'unverified';
    return stored === toHex(signatureKey) ? 'verified' : 'changed';
  }

  set(identity, signatureKey) {
    this.#put(identity, toHex(signatureKey));
  }

  forget(identity) {
    try {
      this.#storage?.removeItem(kPrefix + identity);
    } catch { /* storage refused: memory only */ }
    this.#memory.delete(identity);
  }

  #get(identity) {
    try {
      const v = this.#storage?.getItem(kPrefix + identity);
      if (typeof v === 'string') return v;
    } catch { /* storage refused: memory only */ }
    return this.#memory.get(identity) ?? null;
  }

  #put(identity, hex) {
    this.#memory.set(identity, hex);
    try {
      this.#storage?.setItem(kPrefix + identity, hex);
    } catch { /* storage refused: memory only */ }
  }
}

// The E2EE v2 signature identity (docs/protocol.md §7): one Ed25519 key pair
// per participant identity, kept across sessions so that a pairwise code
// verified once stays valid. The private key is a non-extractable WebCrypto
// key: page script can sign with it but never read it, and IndexedDB stores
// the CryptoKey object itself (structured clone keeps it non-extractable).
// ts-mls signs through it by way of e2ee_mls.js signingSuite().
//
//   const store = await IdentityStore.open();          // IndexedDB, else memory (Node)
//   const keyPair = await loadOrCreateSignatureKeyPair(store, identity);
//
// IndexedDB is per origin, so the key is per (server origin, identity).

const kDbVersion = 1;
const kObjectStore = 'signature_keys';
export const ED25519_PUBLIC_KEY_BYTES = 32;

// { publicKey: Uint8Array (raw, 32 bytes), privateKey: CryptoKey (Ed25519,
// non-extractable, usage sign) }.
export async function generateSignatureKeyPair() {
  const subtle = globalThis.crypto.subtle;
  const pair = await subtle.generateKey({ name: 'Ed25519' }, false, ['sign', 'verify']);
  const publicKey = new Uint8Array(await subtle.exportKey('raw', pair.publicKey));
  return { publicKey, privateKey: pair.privateKey };
}

function isKeyPair(value) {
  return value !== null && typeof value === 'object' &&
    value.publicKey instanceof Uint8Array && value.publicKey.length === ED25519_PUBLIC_KEY_BYTES &&
    value.privateKey !== undefined && value.privateKey !== null;
}

function request(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

// Signature key pairs by identity (a string). `persistent` says whether they
// outlive the page (IndexedDB) or only this object (memory fallback).
export class IdentityStore {
  #db;
  #memory;

  constructor(token, db) {
    if (token !== kToken) throw new TypeError('use IdentityStore.open()');
    this.#db = db;
    this.#memory = db ? null : new Map();
  }

  // options.indexedDB: an IDBFactory (default globalThis.indexedDB); without
  // one, or when opening fails (private browsing may refuse), a memory store.
  static async open({ name = 'aegis-e2ee', indexedDB = globalThis.indexedDB } = {}) {
    if (!indexedDB) return new IdentityStore(kToken, null);
    try {
      const req = indexedDB.open(name, kDbVersion);
      req.onupgradeneeded = () => {
        if (!req.result.objectStoreNames.contains(kObjectStore)) req.result.createObjectStore(kObjectStore);
      };
      return new IdentityStore(kToken, await request(req));
    } catch {
      return new IdentityStore(kToken, null);
    }
  }

  get persistent() { return this.#db !== null; }

  async get(identity) {
    checkIdentity(identity);
    const value = this.#db ? await this.#run('readonly', (s) => s.get(identity)) : this.#memory.get(identity);
    return isKeyPair(value) ? { publicKey: value.publicKey, privateKey: value.privateKey } : null;
  }

  async put(identity, keyPair) {
    checkIdentity(identity);
    if (!isKeyPair(keyPair)) throw new TypeError('a key pair is { publicKey: 32 bytes, privateKey }');
    const value = { publicKey: keyPair.publicKey, privateKey: keyPair.privateKey, created: Date.now() };
    if (this.#db) await this.#run('readwrite', (s) => s.put(value, identity));
    else this.#memory.set(identity, value);
  }

  async delete(identity) {
    checkIdentity(identity);
    if (this.#db) await this.#run('readwrite', (s) => s.delete(identity));
    else this.#memory.delete(identity);
  }

  close() { this.#db?.close(); }

  async #run(mode, op) {
    const tx = this.#db.transaction(kObjectStore, mode);
    const done = new Promise((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error ?? new Error('transaction aborted'));
    });
    // A write counts only once its transaction committed.
    const [result] = await Promise.all([request(op(tx.objectStore(kObjectStore))), done]);
    return result;
  }
}
const kToken = Symbol('IdentityStore');

function checkIdentity(identity) {
  if (typeof identity !== 'string' || identity === '') throw new TypeError('identity must be a non-empty string');
}

// The stored key pair for `identity`, or a new one, stored.
export async function loadOrCreateSignatureKeyPair(store, identity) {
  const existing = await store.get(identity);
  if (existing) return existing;
  const keyPair = await generateSignatureKeyPair();
  await store.put(identity, keyPair);
  return keyPair;
}
